import { expect } from 'vitest';

/** Awaits p, expects it to reject with an instance of cls, and returns that error for further checks. */
export async function rejection<E extends Error>(
  p: Promise<unknown>,
  cls: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    return err as E;
  }
  throw new Error(`expected a ${cls.name}`);
}
