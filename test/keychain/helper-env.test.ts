import { describe, expect, it } from 'vitest';
import { helperEnv } from '../../src/keychain/keychain-process.js';

describe("the keychain helper's environment", () => {
  it('keeps what finds the OS store and drops everything else (keys and passwords named by env: sources)', () => {
    // What finds the OS store (the bus, the keyring daemon, the locale), kept as it is.
    const kept = {
      PATH: '/usr/bin',
      HOME: '/home/op',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/0/bus',
      XDG_RUNTIME_DIR: '/run/user/0',
      GNOME_KEYRING_CONTROL: '/run/user/0/keyring',
      LC_ALL: 'C.UTF-8',
      SystemRoot: 'C:\\Windows',
    };
    const env = helperEnv({
      ...kept,
      PIKA_KEY: 'the-server-key-value',
      PIKA_BOT_PASSWORD: 'the-login-password',
      PIKA_SESSION: 'a-session-cookie',
      NODE_OPTIONS: '--require ./evil.js',
      UNSET: undefined,
    });
    expect(env).toEqual(kept);
    expect(JSON.stringify(env)).not.toMatch(/the-server-key-value|the-login-password|a-session-cookie/);
  });
});
