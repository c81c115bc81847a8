// App: the client applications (appKey, scopes) and their tokens; creating and revoking them.
// Admin only.
// Rules live in src/domain/auth.ts.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { createApp, listApps, SCOPES, type AppSummary } from '../domain/auth.ts';
import { notFound } from '../domain/errors.ts';

export const App = builder.objectRef<AppSummary>('App').implement({
  description: 'A client application (CONTRACT §2). Its secret is stored hashed and never shown again after createApp.',
  fields: (t) => ({
    // A global id for client caches; not a Node (apps are listed to admin tokens by `apps`).
    id: t.id({ description: 'Global id (App:<appKey>).', resolve: (app) => encodeGlobalID('App', app.appKey) }),
    appKey: t.exposeString('appKey'),
    name: t.exposeString('name'),
    scopes: t.exposeStringList('scopes', { description: `Of ${SCOPES.join(', ')}.` }),
    development: t.exposeBoolean('development', { description: 'The development app whose token GraphiQL is pre-filled with.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'Set once revoked: its tokens are refused.' }),
    activeTokens: t.exposeInt('activeTokens', { description: 'Tokens neither expired nor revoked.' }),
  }),
});

const CreatedApp = builder.objectRef<{ appKey: string; secret: string; app: AppSummary }>('CreatedApp').implement({
  fields: (t) => ({
    appKey: t.exposeString('appKey'),
    secret: t.exposeString('secret', { description: 'Shown this once: exchange appKey and secret for tokens (POST /openapi/auth/token).' }),
    app: t.field({ type: App, resolve: (created) => created.app }),
  }),
});

const RevokedToken = builder.objectRef<{ revoked: boolean }>('RevokedToken').implement({
  fields: (t) => ({
    revoked: t.exposeBoolean('revoked', { description: 'false when the token was unknown or already revoked.' }),
  }),
});

async function appSummary(ctx: { prisma: Parameters<typeof listApps>[0] }, appKey: string): Promise<AppSummary> {
  const [app] = await listApps(ctx.prisma, { appKey });
  if (!app) throw notFound('app', appKey, 'appKey');
  return app;
}

builder.queryField('apps', (t) =>
  t.field({
    type: [App],
    authScopes: { admin: true },
    description: 'Every client app, oldest first, revoked ones included.',
    resolve: (_root, _args, ctx) => listApps(ctx.prisma),
  }),
);

builder.mutationFields((t) => ({
  createApp: t.field({
    type: CreatedApp,
    authScopes: { admin: true },
    description: 'Creates an app; its secret is answered this once.',
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg.stringList({ required: true, description: `Of ${SCOPES.join(', ')}.` }),
    },
    resolve: async (_root, args, ctx) => {
      const created = await createApp(ctx.prisma, { name: args.name, scopes: args.scopes });
      return { appKey: created.appKey, secret: created.secret, app: await appSummary(ctx, created.appKey) };
    },
  }),
  revokeApp: t.field({
    type: App,
    authScopes: { admin: true },
    description:
      'Revokes an app and every token it holds: refused at once by every instance (over Redis when REDIS_URL is set; otherwise by the others within TOKEN_CACHE_SECONDS).',
    args: { appKey: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      await ctx.services.tokens.revokeApp(args.appKey);
      ctx.services.pubsub.publishRevocation();
      return appSummary(ctx, args.appKey);
    },
  }),
  revokeToken: t.field({
    type: RevokedToken,
    authScopes: { admin: true },
    description:
      'Revokes a token: refused at once by every instance (over Redis when REDIS_URL is set; otherwise by the others within TOKEN_CACHE_SECONDS).',
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const revoked = await ctx.services.tokens.revoke(args.token);
      if (revoked) ctx.services.pubsub.publishRevocation();
      return { revoked };
    },
  }),
}));
