import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from '../util/private-fs.js';

/**
 * The one place certificates are made, with openssl (Node reads X.509 but cannot write it):
 * a throwaway CA, a leaf it signs, and a self-signed leaf shaped like Pika's own. All ECDSA
 * P-256. The sandbox needs it at run time; the tests' fixtures (nginx, transport, trust)
 * import it from here. Work files (keys, CSR, serial, extensions) live in a private temp
 * dir (0700) removed before returning; each openssl run is bounded by a timeout.
 */

/** A certificate and its private key, both PEM. */
export interface CertKey {
  certPem: string;
  keyPem: string;
}

export interface CertSpec {
  /** The subject in openssl's -subj form, e.g. `/O=Pika Self-Signed/CN=localhost`. */
  subject: string;
  /** subjectAltName entries in openssl's form (`DNS:localhost`, `IP:::1`); none for a CA. */
  sans?: readonly string[];
  days: number;
  /** What is being made, for errors: "openssl failed to make <purpose>". */
  purpose?: string;
}

/** Certificate material could not be made or read (the sandbox says so as a CliError). */
export class TlsSetupError extends Error {}

const OPENSSL_TIMEOUT_MS = 30_000;
const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const CA_EXTENSIONS = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
const LEAF_EXTENSIONS = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
];

const leafExtensions = (spec: CertSpec) => [
  ...(spec.sans?.length ? [`subjectAltName=${spec.sans.join(',')}`] : []),
  ...LEAF_EXTENSIONS,
];
const addext = (exts: string[]) => exts.flatMap((e) => ['-addext', e]);

/** A throwaway CA (CA:TRUE, keyCertSign): its key signs leaves with makeLeaf(). */
export function makeCa(spec: CertSpec): Promise<CertKey> {
  return selfSigned(spec, CA_EXTENSIONS);
}

/** A self-signed server leaf (CA:FALSE, serverAuth), as Pika's auto-managed certificate is. */
export function makeSelfSigned(spec: CertSpec): Promise<CertKey> {
  return selfSigned(spec, leafExtensions(spec));
}

/** A server leaf (CA:FALSE, serverAuth, the SANs) signed by `ca`. */
export function makeLeaf(ca: CertKey, spec: CertSpec): Promise<CertKey> {
  const what = spec.purpose ?? 'a certificate';
  return inScratch(async (f) => {
    await writeFile(f('ca.crt'), ca.certPem);
    await writePrivateFile(f('ca.key'), ca.keyPem);
    await writeFile(f('ext.cnf'), `${leafExtensions(spec).join('\n')}\n`);
    await openssl(['req', '-new', ...P256, '-subj', spec.subject, '-keyout', f('key'), '-out', f('csr')], what);
    const signer = ['-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial'];
    const out = ['-days', String(spec.days), '-extfile', f('ext.cnf'), '-out', f('crt')];
    await openssl(['x509', '-req', '-in', f('csr'), ...signer, ...out], what);
    return read(f);
  });
}

/**
 * Writes `<base>.crt` and `<base>.key` (both 0600), each through a temp file and a rename,
 * key first, so a reader that finds the certificate finds its key too.
 */
export async function writeCertFiles(base: string, m: CertKey): Promise<{ certFile: string; keyFile: string }> {
  const certFile = `${base}.crt`;
  const keyFile = `${base}.key`;
  for (const [file, pem] of [
    [keyFile, m.keyPem],
    [certFile, m.certPem],
  ] as const) {
    const tmp = `${file}.tmp`;
    try {
      await rm(tmp, { force: true }); // a stale one would keep its mode: the key goes only into a new 0600 file
      await writePrivateFile(tmp, pem);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
  return { certFile, keyFile };
}

function selfSigned(spec: CertSpec, extensions: string[]): Promise<CertKey> {
  const what = spec.purpose ?? 'a certificate';
  return inScratch(async (f) => {
    const out = ['-days', String(spec.days), '-keyout', f('key'), '-out', f('crt')];
    await openssl(['req', '-x509', ...P256, '-subj', spec.subject, ...addext(extensions), ...out], what);
    return read(f);
  });
}

async function read(f: (n: string) => string): Promise<CertKey> {
  const [certPem, keyPem] = await Promise.all([readFile(f('crt'), 'utf8'), readFile(f('key'), 'utf8')]);
  return { certPem, keyPem };
}

/** Runs `work` in a fresh 0700 temp dir (mkdtemp's mode) and removes the dir whatever happens. */
async function inScratch<T>(work: (f: (name: string) => string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'pikactl-certs-'));
  try {
    return await work((name) => join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function openssl(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: OPENSSL_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, _out, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new TlsSetupError(`openssl not found: making ${what} needs the openssl command on PATH`));
      }
      const why = err.killed ? `no answer within ${OPENSSL_TIMEOUT_MS / 1000} s` : String(stderr).trim() || err.message;
      reject(new TlsSetupError(`openssl failed to make ${what}: ${why}`));
    });
  });
}
