// oidc-provider (npm), configured like tims's provider so the benchmark
// compares like with like:
//   - RS256 ID tokens, one freshly generated 2048-bit RSA key;
//   - PKCE with S256 required for every client; response_type=code only;
//   - one confidential client using client_secret_basic;
//   - one account whose claims mirror the tims demo citizen (name, phone);
//     they are put in the ID token (conformIdTokenClaims: false);
//   - like tims, the token response carries a JWT access token (aud = the
//     client) signed ES256 with a P-256 key, as tims signs its access tokens
//     (BENCH_OIDC_ACCESS_ALG=RS256 signs them with the RSA key instead), and
//     a refresh token; BENCH_OIDC_ACCESS_TOKEN=opaque gives oidc-provider's
//     default opaque access token instead;
//   - lifetimes as tims's: code 60 s, access token 10 min, ID token 15 min,
//     refresh token 30 days;
//   - storage in process memory (no Redis/DB round trips).
//
// Usage: node oidc-provider-server.mjs [port]
//   env PORT, BENCH_CLIENT_ID (default "bench"), BENCH_CLIENT_SECRET (random
//   if unset), BENCH_OIDC_ADAPTER=map|builtin (see MapAdapter below),
//   BENCH_OIDC_ACCESS_TOKEN=jwt|opaque.
// Prints one JSON line on stdout once it listens: issuer, client id/secret.
//
// Interactions are a benchmark fixture: /interaction/:uid signs in the
// single bench account and grants what the client asked, with no form. That
// is only ever used once per run (signin-oidc-provider.mjs), so that every
// measured authorize request finds a session and a grant and returns a code.
// It listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;
const clientId = process.env.BENCH_CLIENT_ID ?? 'bench';
const clientSecret = process.env.BENCH_CLIENT_SECRET ?? randomBytes(24).toString('base64url');
const redirectUri = process.env.BENCH_REDIRECT_URI ?? 'http://127.0.0.1:9/cb';
const accountId = 'bench-citizen-12345678';
const jwtAccessTokens = (process.env.BENCH_OIDC_ACCESS_TOKEN ?? 'jwt') === 'jwt';
// The resource server that JWT access tokens are issued for.
const apiResource = 'urn:tims-bench:api';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};
// Access tokens are signed ES256, as tims signs them.
const accessAlg = process.env.BENCH_OIDC_ACCESS_ALG ?? 'ES256';
const ecKey = {
  ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  alg: 'ES256',
  use: 'sig',
};

// oidc-provider's bundled MemoryAdapter keeps, per grant, a Map of every
// token issued under it, and on each new code or token walks the whole Map
// and spreads it into Math.max. With one user and one grant each flow costs
// O(flows so far): here it gave about half the flow rate of the adapter
// below, falling as the run went on. Production stores (e.g. the Redis
// adapter in oidc-provider's examples) keep that index in O(1), so by
// default we use this Map-backed adapter with the same semantics;
// BENCH_OIDC_ADAPTER=builtin selects the bundled one.
const store = new Map(); // "Model:id" → { payload, exp }
const grantIndex = new Map(); // grantId → Set of "Model:id"
const uidIndex = new Map(); // session uid → session id
const grantable = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'PreAuthorizedCode',
]);

class MapAdapter {
  constructor(model) { this.model = model; }

  key(id) { return `${this.model}:${id}`; }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const exp = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
    store.set(key, { payload, exp });
    if (this.model === 'Session') uidIndex.set(payload.uid, id);
    if (grantable.has(this.model) && payload.grantId) {
      let set = grantIndex.get(payload.grantId);
      if (!set) grantIndex.set(payload.grantId, (set = new Set()));
      set.add(key);
    }
  }

  async find(id) {
    const key = this.key(id);
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.exp <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    const id = uidIndex.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode() { return undefined; } // device flow is not enabled

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    const key = this.key(id);
    const entry = store.get(key);
    store.delete(key);
    if (entry?.payload.grantId) grantIndex.get(entry.payload.grantId)?.delete(key);
    if (this.model === 'Session' && entry) uidIndex.delete(entry.payload.uid);
  }

  async revokeByGrantId(grantId) {
    for (const key of grantIndex.get(grantId) ?? []) store.delete(key);
    grantIndex.delete(grantId);
  }
}

const configuration = {
  ...(process.env.BENCH_OIDC_ADAPTER === 'builtin' ? {} : { adapter: MapAdapter }),
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey, ecKey] },
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
  responseTypes: ['code'],
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'phone', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  conformIdTokenClaims: false,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    AuthorizationCode: 60,
    AccessToken: 600,
    IdToken: 900,
    RefreshToken: 30 * 24 * 3600,
    Grant: 30 * 24 * 3600,
    Session: 14 * 24 * 3600,
    Interaction: 3600,
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: jwtAccessTokens
      ? {
        enabled: true,
        defaultResource: async () => apiResource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (resource !== apiResource) throw new Error(`unknown resource ${resource}`);
          return {
            scope: '',
            audience: client.clientId,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: accessAlg } },
          };
        },
      }
      : { enabled: false },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    if (sub !== accountId) return undefined;
    return {
      accountId,
      async claims() {
        return {
          sub: accountId,
          name: 'Demo Citizen',
          phone_number: '+254712345678',
          phone_number_verified: true,
        };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
const callback = provider.callback();

// Completes whichever prompt is pending (login, then consent) for the bench
// account, then hands control back to the provider's /auth/:uid resume.
async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId } },
        { mergeWithLastSubmission: false });
      return;
    }
    if (prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } },
        { mergeWithLastSubmission: true });
      return;
    }
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`unsupported prompt ${prompt.name}`);
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err?.message ?? err));
  }
}

const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) interaction(req, res);
  else callback(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({
    ready: true, issuer, client_id: clientId, client_secret: clientSecret, pid: process.pid,
  })}\n`);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
