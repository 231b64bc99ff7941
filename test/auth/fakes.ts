import {
  ApiError,
  type ApiErrorKind,
  type LoginResult,
  type PikaClient,
  type ServerInfo,
  type LoginInfo,
} from '../../src/api/types.js';
import { parseServerUrl } from '../../src/api/url.js';
import type { GlobalOptions } from '../../src/globals.js';
import { Secret } from '../../src/secrets/secret.js';
import type { SecretReader } from '../../src/secrets/reader.js';

export const apiError = (kind: ApiErrorKind, extra: { serverCode?: string; retryAfterMs?: number } = {}) =>
  new ApiError(`fake ${kind}`, { kind, method: 'POST', path: '/x', ...extra });

/** A scripted PikaClient: only the auth-related calls do anything; every call is recorded. */
export class FakeClient implements PikaClient {
  readonly server = parseServerUrl('https://pika.test:8080');
  readonly calls: string[] = [];
  session: Secret | undefined;
  info_: () => Promise<ServerInfo> = async () => ({ name: 'pika', version: 'v1' });
  loginInfo_: () => Promise<LoginInfo> = async () => ({ strategies: [] });
  login_: (strategy: string, user: string, password: Secret) => Promise<LoginResult> = async () => ({
    kind: 'session',
    cookie: new Secret('fresh-cookie', 'login'),
  });
  loginTotp_: (strategy: string, id: Secret, code: Secret) => Promise<LoginResult> = async () => ({
    kind: 'session',
    cookie: new Secret('totp-cookie', 'login'),
  });
  logout_: () => Promise<void> = async () => {};

  setSession(cookie: Secret | undefined) {
    this.session = cookie;
  }
  hasSession() {
    return this.session !== undefined;
  }
  private no(name: string): never {
    throw new Error(`unexpected call ${name}`);
  }
  healthz = async () => this.no('healthz');
  keyStatus = async () => this.no('keyStatus');
  initialize = async () => this.no('initialize');
  unlock = async () => this.no('unlock');
  lock = async () => this.no('lock');
  rotate = async () => this.no('rotate');
  settings = async () => this.no('settings');
  clusterStatus = async () => this.no('clusterStatus');
  me = async () => this.no('me');
  async info() {
    this.calls.push('info');
    return this.info_();
  }
  async loginInfo() {
    this.calls.push('loginInfo');
    return this.loginInfo_();
  }
  async login(strategy: string, user: string, password: Secret) {
    this.calls.push(`login ${strategy} ${user}`);
    return this.login_(strategy, user, password);
  }
  async loginTotp(strategy: string, id: Secret, code: Secret) {
    this.calls.push(`loginTotp ${strategy}`);
    return this.loginTotp_(strategy, id, code);
  }
  async logout() {
    this.calls.push('logout');
    await this.logout_();
    this.session = undefined;
  }
  async close() {}
}

/** Answers every read with a fixed value per flag and records the requests. */
export class FakeSecrets implements SecretReader {
  readonly requests: Array<{ spec?: string; flag: string; label: string }> = [];
  constructor(
    private readonly values: Record<string, string> = { '--password-from': 'pw-canary-31', '--totp-from': '123456' },
  ) {}
  async read(req: { spec?: string; flag: string; label: string }) {
    this.requests.push(req);
    const v = this.values[req.flag];
    if (v === undefined) throw new Error(`no fake value for ${req.flag}`);
    return new Secret(v, `fake:${req.flag}`);
  }
}

/** Cast: GlobalOptions grows as other commands land; tests only need these fields. */
export function globals(over: Partial<GlobalOptions> = {}): GlobalOptions {
  return {
    timeoutExplicit: false,
    servers: [],
    insecure: false,
    allowHttp: false,
    timeoutMs: 5_000,
    cookieName: 'pika_session',
    json: false,
    color: false,
    input: true,
    debug: false,
    ...over,
  } as GlobalOptions;
}
