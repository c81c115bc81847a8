// viewer: who the caller is (its app and scopes), so that a client such as the console can show
// only what the token may do. It tells the caller nothing it does not already hold.
import { builder } from '../builder.ts';
import type { Caller } from '../domain/auth.ts';

const Viewer = builder.objectRef<Caller>('Viewer').implement({
  description: 'The app the calling token belongs to.',
  fields: (t) => ({
    appKey: t.exposeString('appKey'),
    appName: t.exposeString('appName'),
    scopes: t.stringList({
      description: 'customer:read, customer:write and/or admin.',
      resolve: (caller) => [...caller.scopes].sort(),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    nullable: true,
    description: 'The calling app and its scopes; any valid token may ask.',
    resolve: (_root, _args, ctx) => ctx.caller,
  }),
);
