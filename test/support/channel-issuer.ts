/**
 * A stand-in for the Bot Framework token service: an OpenID metadata document and its signing keys
 * served over HTTP, and channel tokens signed with them (RS256, node:crypto only).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CHANNEL_ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function newSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export interface ChannelIssuer {
  openIdMetadataUrl: string;
  /** How many times the bot fetched the keys. */
  keyFetches: number;
  stop(): Promise<void>;
}

/** Publishes `keys`, each endorsed for the channels listed beside it. */
export async function startChannelIssuer(keys: Array<{ key: SigningKey; endorsements: string[] }>): Promise<ChannelIssuer> {
  let base = '';
  const issuer = {
    openIdMetadataUrl: '',
    keyFetches: 0,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(JSON.stringify({ issuer: CHANNEL_ISSUER, jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/v1/keys') {
      issuer.keyFetches += 1;
      res.end(
        JSON.stringify({
          keys: keys.map(({ key, endorsements }) => {
            const { n, e } = key.publicKey.export({ format: 'jwk' });
            return { kty: 'RSA', use: 'sig', kid: key.kid, n, e, endorsements };
          }),
        }),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer.openIdMetadataUrl = `${base}/v1/.well-known/openidconfiguration`;
  return issuer;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A JWT as the channel sends it, signed with `key` (claims override the defaults). */
export function channelToken(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }));
  const body = base64url(JSON.stringify({ iss: CHANNEL_ISSUER, nbf: now - 60, exp: now + 3600, ...claims }));
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), key.privateKey);
  return `${head}.${body}.${base64url(signature)}`;
}
