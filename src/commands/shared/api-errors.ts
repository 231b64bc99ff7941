import type { ServerUrl } from '../../api/url.js';
import { ApiError } from '../../api/types.js';
import type { CliError } from '../../errors.js';

/** An API error becomes a CliError here (through api/errors.ts, loaded only when one happens). */

/** Wraps an API error with the default mapping unless the command maps it itself. */
export async function mapApiErrors<T>(server: ServerUrl, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError) throw await toCliError(err, server, action);
    throw err;
  }
}

export async function toCliError(err: ApiError, server: ServerUrl, action: string): Promise<CliError> {
  const { apiErrorToCli } = await import('../../api/errors.js');
  return apiErrorToCli(err, server, action);
}
