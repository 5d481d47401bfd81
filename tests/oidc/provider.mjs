// A real OpenID provider for the single sign-on tests (oidc-provider, on loopback only).
//
// node tests/oidc/provider.mjs WORLD.json
//
// WORLD.json is written by the tests and read on every lookup, so a test changes who
// exists and what the provider says about them without a restart:
//   {"clients":  {"<client_id>": {client metadata: secret, redirect_uris, ...}},
//    "accounts": {"<login name>": {"email": "...", "email_verified": true, ...}}}
// The login name typed on the provider's own sign-in page is the account's `sub`; any
// password is accepted (these are oidc-provider's development interactions). The first
// line written to stdout is the issuer, http://127.0.0.1:<free port>.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';
// Not exported by the package; extended below so that clients come from WORLD.json.
import MemoryAdapter from '../../node_modules/oidc-provider/lib/adapters/memory_adapter.js';

const worldFile = process.argv[2];
const world = () => JSON.parse(readFileSync(worldFile, 'utf8'));

class Adapter extends MemoryAdapter {
  async find(id) {
    if (this.model === 'Client') {
      return world().clients?.[id];
    }
    return super.find(id);
  }
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    adapter: Adapter,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'groups', 'department', 'realm_access'],
    },
    cookies: { keys: ['tydligt-test-provider-only'] },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    // Every client of this provider must use PKCE, as a municipality's should.
    pkce: { required: () => true },
    async findAccount(ctx, sub) {
      const account = world().accounts?.[sub];
      if (!account) {
        return undefined;
      }
      return { accountId: sub, claims: async () => ({ ...account, sub }) };
    },
    // Staff are not asked to consent to their own employer's app: a grant is made at once.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        return ctx.oidc.provider.Grant.find(grantId);
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${issuer}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
