// oidc-provider (npm, a certified OpenID Connect provider) set up as an
// outside provider for the registry, to show that the registry signs people
// in through any provider by configuration alone.
//
// Usage: node outside-provider.mjs
//   env REDIRECT_URI (the registry's /signin/callback), CLIENT_ID,
//   CLIENT_SECRET, POST_LOGOUT_REDIRECT_URI (optional).
// Prints one JSON line once it listens: {"issuer": ...}. Listens on
// 127.0.0.1 on a free port and stops on SIGTERM or when stdin closes.
//
// Its one account mirrors a demo citizen of tims's own sign-on, with the
// claims the registry needs (ID number, verified phone, organisations).
// Interactions are a test fixture: /interaction/:uid signs that account in
// and grants what the client asked, with no form.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const redirectUri = process.env.REDIRECT_URI;
const clientId = process.env.CLIENT_ID ?? 'tims-registry';
const clientSecret = process.env.CLIENT_SECRET;
if (!redirectUri || !clientSecret) {
  console.error('REDIRECT_URI and CLIENT_SECRET are required');
  process.exit(2);
}
const accountId = 'outside-citizen-12345678';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: process.env.POST_LOGOUT_REDIRECT_URI ? [process.env.POST_LOGOUT_REDIRECT_URI] : [],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'phone', 'organisations'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'account_type', 'id_number'],
      phone: ['phone_number', 'phone_number_verified'],
      organisations: ['organisations'],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    async findAccount(_ctx, sub) {
      if (sub !== accountId) return undefined;
      return {
        accountId,
        async claims() {
          return {
            sub: accountId,
            name: 'Wanjiku Kamau (outside provider)',
            account_type: 'citizen',
            id_number: '12345678',
            phone_number: '+254712345678',
            phone_number_verified: true,
            organisations: [{ kra_pin: 'P051234567A', name: 'Kamau Motors Limited', kind: 'car_dealer', role: 'admin' }],
          };
        },
      };
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (!req.url.startsWith('/interaction/')) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const { prompt, params, session } = details;
      if (prompt.name === 'login') {
        return await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      }
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      const grantId = await grant.save();
      return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err?.message ?? err));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
