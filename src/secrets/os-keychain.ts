import { CliError, ExitCode } from '../errors.js';
import type { Env } from '../context.js';
import type { Keychain } from './keychain.js';

// Placeholder until the keychain backend lands (issue 4): always unavailable, never a plaintext fallback.
export async function openOsKeychain(_opts: { env: Env }): Promise<Keychain> {
  throw new CliError('no OS keychain backend is available in this build', {
    code: 'keychain_unavailable',
    exitCode: ExitCode.ERROR,
  });
}
