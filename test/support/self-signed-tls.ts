/** A self-signed certificate for 127.0.0.1/localhost made with openssl in a temporary directory. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCertificate {
  /** PEM file path: what CM_CA_FILE would name. */
  certFile: string;
  cert: string;
  key: string;
  remove(): void;
}

export async function makeSelfSignedCertificate(): Promise<SelfSignedCertificate> {
  const directory = mkdtempSync(join(tmpdir(), 'self-signed-tls-'));
  const certFile = join(directory, 'cert.pem');
  const keyFile = join(directory, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=cm01.test',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return {
    certFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
