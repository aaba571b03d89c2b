/**
 * Test helper: signs a server certificate for arbitrary names with a dev CA's key (`<dataDir>/tls/ca-key.pem`),
 * bypassing dev-ca.ts's own checks — to prove that browsers and TLS stacks refuse a leaf outside the CA's name
 * constraints, as they would if the CA key leaked.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const crypto = webcrypto as Crypto;
x509.cryptoProvider.set(crypto);
const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** A leaf for `dnsNames`/`ipAddresses` signed by the dev CA in `<dataDir>/tls`; PEM chain (leaf + CA) and key. */
export async function signLeafWithDevCa(dataDir: string, dnsNames: string[], ipAddresses: string[] = []): Promise<{ certPem: string; keyPem: string }> {
  const caPem = await readFile(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');
  const caKeyPem = await readFile(path.join(dataDir, 'tls', 'ca-key.pem'), 'utf8');
  const ca = new x509.X509Certificate(caPem);
  const signingKey = await crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(caKeyPem), EC, false, ['sign']);
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      subject: [{ CN: [dnsNames[0] ?? 'leaf'] }],
      issuer: ca.subjectName,
      notBefore: new Date(now - 3_600_000),
      notAfter: new Date(now + 30 * 86_400_000),
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(
          [...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...ipAddresses.map((value) => ({ type: 'ip' as const, value }))],
          false,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keyPem = x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') + '\n';
  return { certPem: `${cert.toString('pem')}\n${caPem}`, keyPem };
}
