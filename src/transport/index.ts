export { createDispatcher } from './agent.js';
export {
  type TransportOptions,
  DEFAULT_MAX_BODY_BYTES,
  normalizePin,
  assertHttpAllowed,
  insecureWarning,
  plainHttpWarning,
} from './options.js';
export { certFingerprint, loadCaFile, createConnector, PinMismatchError } from './tls.js';
export { networkErrorToApiError } from './errors.js';
export { undiciSend, fetchSend, BodyTooLargeError, type HttpSend, type RawRequest, type RawResponse } from './http.js';
