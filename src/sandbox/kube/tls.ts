import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TlsSetupError } from '../tls.js';

/**
 * The stand-in API server's own throwaway CA and a serving certificate it signed
 * (SANs localhost, 127.0.0.1, ::1), so kubeconfigs carry certificate-authority-data
 * as real clusters do, and clients verify the chain instead of skipping TLS checks.
 * Made fresh in <dir> (0700) with openssl on every start; the CA key is deleted once used.
 */
export interface KubeTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 30_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(
          new TlsSetupError('openssl not found: the Kubernetes stand-in makes its CA with the openssl command'),
        );
      reject(
        new TlsSetupError(
          `openssl failed to make the Kubernetes stand-in's certificates: ${String(stderr).trim() || err.message}`,
        ),
      );
    });
  });
}

export async function makeKubeTls(dir: string): Promise<KubeTls> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const f = (n: string) => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '30',
    '-subj',
    '/CN=pikactl-sandbox-kube-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    '-new',
    ...ec,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=kube-apiserver',
  ]);
  await writeFile(
    f('ext.cnf'),
    'subjectAltName=DNS:localhost,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:::1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '30',
    '-extfile',
    f('ext.cnf'),
  ]);
  const [caPem, certPem, keyPem] = await Promise.all(
    ['ca.crt', 'server.crt', 'server.key'].map((n) => readFile(f(n), 'utf8')),
  );
  await Promise.all(['ca.key', 'server.csr', 'ext.cnf', 'ca.srl'].map((n) => rm(f(n), { force: true })));
  await chmod(f('server.key'), 0o600);
  return { caPem, certPem, keyPem };
}
