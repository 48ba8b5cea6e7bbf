// A real OpenID Connect provider on loopback for the single sign-on tests: oidc-provider (npm,
// web/package.json's devDependencies) with its development sign-in form, which any login name
// passes. Started by crates/tandem-test-support/src/oidc.rs:
//
//   node provider.mjs PATH/TO/oidc-provider/lib/index.js CONFIG_JSON
//
// CONFIG_JSON: { "redirect_uri": "…", "accounts": { LOGIN: { email, email_verified, xms_edov, groups } },
//   "clients": [{ client_id, client_secret, id_token_audience?, id_token_expired? }] }
// A client with `id_token_audience` gets ID tokens made out to that other client instead, and
// one with `id_token_expired` gets ID tokens that expired ten minutes before they were issued:
// the tokens a relying party must refuse, signed with the provider's real keys.
//
// Prints the port once it accepts connections; stops when killed.

import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

// Standard output carries the port and nothing else: the provider's notices go to standard error.
console.log = console.error;
console.info = console.error;

const [, , modulePath, configJson] = process.argv;
const { default: Provider } = await import(pathToFileURL(modulePath).href);
const config = JSON.parse(configJson);

const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const { port } = server.address();

const testClients = new Map(config.clients.map((c) => [c.client_id, c]));

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: config.clients.map(({ client_id, client_secret }) => ({
    client_id,
    client_secret,
    redirect_uris: [config.redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  })),
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    return account && { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  // The groups come with the email scope, as an Entra ID application configured with a groups
  // claim sends them whatever the scopes.
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov', 'groups'] },
  // Scope claims in the ID token itself, as Entra ID sends them, not only from userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  // Every client is first-party: no consent screen.
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const existing = session.grantIdFor(client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid email');
    await grant.save();
    session.grantIdFor(client.clientId, grant.jti);
    return grant;
  },
  cookies: { keys: ['tandem-test-provider-only'] },
});

const { IdToken } = provider;
const issue = IdToken.prototype.issue;
IdToken.prototype.issue = async function issueForTest(options = {}) {
  const test = testClients.get(this.client?.clientId);
  if (options.use === 'idtoken' && test?.id_token_audience) {
    this.client = await provider.Client.find(test.id_token_audience);
  }
  if (options.use === 'idtoken' && test?.id_token_expired) {
    return issue.call(this, { ...options, expiresAt: Math.floor(Date.now() / 1000) - 600 });
  }
  return issue.call(this, options);
};

server.on('request', provider.callback());
process.stdout.write(`${port}\n`);
