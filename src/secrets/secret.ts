import { registerSecret } from './redact.js';

const REDACTED = '[redacted]';
const values = new WeakMap<Secret, string>();

/**
 * A secret value (passphrase, password, session cookie, TOTP code). It prints as
 * `[redacted]` through toString, JSON.stringify, util.inspect and template strings;
 * the value is reachable only through an explicit reveal().
 * The value lives in a WeakMap, not on the object, so no enumeration or
 * structured clone can leak it either.
 */
export class Secret {
  /** Where the value came from, for messages ("prompt", "file:/x", "env:PIKA_KEY"). Never the value. */
  readonly source: string;

  constructor(value: string, source: string) {
    values.set(this, value);
    this.source = source;
    Object.freeze(this);
    // Every secret of an invocation is cut out of whatever it prints (src/secrets/redact.ts).
    registerSecret(this);
  }

  reveal(): string {
    const v = values.get(this);
    if (v === undefined) throw new Error('secret value missing');
    return v;
  }

  get length(): number {
    return this.reveal().length;
  }

  isEmpty(): boolean {
    return this.reveal().length === 0;
  }

  equals(other: Secret): boolean {
    return this.reveal() === other.reveal();
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  // util.inspect.custom is this registered symbol (Node's docs); no node:util import on the hot path.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED} from ${this.source})`;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
