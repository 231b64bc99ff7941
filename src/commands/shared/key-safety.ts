import type { App } from '../app.js';
import type { Secret } from '../../secrets/secret.js';
import { passphraseWarnings } from '../../ops/passphrase.js';
import { confirmAction } from './confirm.js';
import { needsInput } from '../../errors.js';

/** Prints advice about a weak new key on stderr (never the key). */
export function warnIfWeak(app: App, key: Secret): void {
  const warnings = passphraseWarnings(key);
  if (warnings.length === 0) return;
  const { io } = app.ctx;
  io.stderr.write(`${io.style.yellow('Warning:')} the new key looks weak: ${warnings.join('; ')}.\n`);
}

/**
 * There is no recovery path for a lost Pika key, so the operator must confirm the
 * new key is saved BEFORE it is applied: typed on a terminal, --confirm-saved otherwise.
 */
export async function requireSavedConfirmation(
  app: App,
  confirmed: boolean | undefined,
  server: string,
): Promise<void> {
  if (confirmed) return;
  const { io } = app.ctx;
  if (!io.canPrompt())
    throw needsInput('confirmation that the new key is saved in your password manager', '--confirm-saved');
  io.stderr.write(
    `The new key for ${server} is never stored by Pika: if it is lost, the encrypted settings are lost.\n` +
      `Save it in your password manager now, before it is applied.\n`,
  );
  await confirmAction(app, {
    what: 'apply the new key',
    question: '',
    typed: { word: 'saved', prompt: 'Type "saved" once the new key is in your password manager:' },
  });
}
