// A real OAuth 2.1 authorization server for agentcron's tests: panva's oidc-provider with the
// client-credentials grant and resource indicators (RFC 8707), issuing RS256 JWT access tokens.
//
// Usage: node provider.mjs CLIENTS_JSON
//   CLIENTS_JSON: [{"client_id": "...", "client_secret": "...", "scope": "agentcron"}, ...]
// Listens on 127.0.0.1 (a free port), prints one JSON line {"issuer": "http://127.0.0.1:PORT"}
// on stdout when ready, and exits when its stdin closes (so it never outlives the test).
import http from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.argv[2] || '[]').map((c) => ({
  client_id: c.client_id,
  client_secret: c.client_secret,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
  scope: c.scope ?? 'agentcron',
  token_endpoint_auth_method: 'client_secret_basic',
}));

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  scopes: ['agentcron', 'other'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      // Any https/http resource may be asked for: the resource server checks the audience.
      getResourceServerInfo: (ctx, resourceIndicator) => ({
        scope: 'agentcron other',
        audience: resourceIndicator,
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
provider.on('server_error', (ctx, err) => console.error('oidc-provider error:', err));
server.on('request', provider.callback());

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
