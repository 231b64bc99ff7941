import { makeCa, makeLeaf } from '../certs.js';

/**
 * The stand-in API server's own throwaway CA and a serving certificate it signed
 * (SANs localhost, kubernetes.default.svc, 127.0.0.1, ::1), so kubeconfigs carry
 * certificate-authority-data as real clusters do, and clients verify the chain instead of
 * skipping TLS checks. Made fresh in memory on every start; the CA key is dropped once used.
 */
export interface KubeTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function makeKubeTls(): Promise<KubeTls> {
  const ca = await makeCa({
    subject: '/CN=pikactl-sandbox-kube-ca',
    days: 30,
    purpose: "the Kubernetes stand-in's CA",
  });
  const leaf = await makeLeaf(ca, {
    subject: '/CN=kube-apiserver',
    sans: ['DNS:localhost', 'DNS:kubernetes.default.svc', 'IP:127.0.0.1', 'IP:::1'],
    days: 30,
    purpose: "the Kubernetes stand-in's serving certificate",
  });
  return { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}
