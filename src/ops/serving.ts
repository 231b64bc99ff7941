import type { PikaClient } from '../api/types.js';
import type { ServerUrl } from '../api/url.js';
import { CliError } from '../errors.js';
import { observeNode, type NodeObservation } from './observe.js';
import { targetFlags } from '../output/target-flags.js';

/** The server must serve (unlocked) before a rotation or a handover step; every other state says what to do. */
export async function requireServing(
  client: PikaClient,
  server: ServerUrl,
  signal: AbortSignal | undefined,
  what: string,
): Promise<void> {
  const p = await observeNode(client, signal);
  const s = server.id;
  switch (p.state) {
    case 'unlocked':
      return;
    case 'unreachable':
      throw p.error!;
    case 'off':
      throw new CliError(`encryption is not initialized on ${s}: there is no key yet`, {
        code: 'not_initialized',
        hint: `pikactl init ${targetFlags(server)}`,
      });
    case 'locked':
      throw new CliError(`${s} is locked; ${what} needs an unlocked server`, {
        code: 'locked',
        hint: `pikactl unlock ${targetFlags(server)}, then run ${what} again.`,
      });
    case 'unreadable':
      throw settingsUnreadable(server, p);
  }
}

/** Pika's own 500 on the settings read: the one way every command reports it (with Pika's request_id, for its logs). */
export function settingsUnreadable(server: ServerUrl, p: NodeObservation): CliError {
  return new CliError(`${server.id} cannot read its own settings (${p.error?.serverMessage ?? 'HTTP 500'})`, {
    code: 'needs_recovery',
    hint: `A rotation was probably left half done: pikactl recover-rotation ${targetFlags(server)}`,
    details: p.error?.requestId ? { request_id: p.error.requestId } : undefined,
  });
}
