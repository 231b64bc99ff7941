import type { IO } from '../io/types.js';
import type { CliError } from '../errors.js';

/** One JSON document on stdout. Secret values serialise as "[redacted]" through Secret.toJSON. */
export function writeJson(io: IO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function errorJson(err: CliError): Record<string, unknown> {
  return {
    ok: false,
    error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.details ?? {}) },
    exit_code: err.exitCode,
  };
}
