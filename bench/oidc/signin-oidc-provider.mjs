// Signs the bench account in on oidc-provider-server.mjs and grants consent
// once, by walking one authorization request through its interaction
// redirects. Returns the Cookie header of the resulting session; with it
// every later authorize request returns a code straight away.
//
// CLI: node signin-oidc-provider.mjs <issuer> [client_id] [redirect_uri]
//      prints the Cookie header on stdout.
import { pathToFileURL } from 'node:url';
import {
  CookieJar, authorizeQuery, discover, fetchRaw, log, pkcePair, randomToken,
} from './lib.mjs';

export async function signIn(issuer, { clientId = 'bench', redirectUri = 'http://127.0.0.1:9/cb' } = {}) {
  const { doc } = await discover(issuer);
  const jar = new CookieJar();
  const { challenge } = pkcePair();
  let url = `${doc.authorization_endpoint}?${authorizeQuery({
    clientId, redirectUri, state: randomToken(), nonce: randomToken(), challenge,
  })}`;

  // auth → interaction (login) → auth resume → interaction (consent) → auth
  // resume → redirect_uri; a few hops more or less is fine.
  for (let hop = 0; hop < 10; hop += 1) {
    const res = await fetchRaw(url, { jar });
    if (![302, 303].includes(res.status)) {
      throw new Error(`oidc-provider sign-in: ${url} answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    }
    const next = new URL(res.headers.location, url);
    if (next.href.startsWith(redirectUri)) {
      if (!next.searchParams.get('code')) {
        throw new Error(`oidc-provider sign-in: redirected back without a code: ${next.href}`);
      }
      return jar.header((name) => name.startsWith('_session'));
    }
    url = next.href;
  }
  throw new Error('oidc-provider sign-in: too many redirects');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [issuer = process.env.BENCH_ISSUER, clientId, redirectUri] = process.argv.slice(2);
  if (!issuer) {
    log('usage: node signin-oidc-provider.mjs <issuer> [client_id] [redirect_uri]');
    process.exit(2);
  }
  signIn(issuer, { clientId, redirectUri }).then((cookie) => console.log(cookie), (err) => {
    log(err.message);
    process.exit(1);
  });
}
