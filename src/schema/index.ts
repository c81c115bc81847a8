// Assembles the schema: each module registers its types, queries and mutations on the builder.
import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { specifiedDirectives } from 'graphql';
import { builder } from '../builder.ts';
import './app.ts';
import './attribute.ts';
import './customer.ts';
import './edu.ts';
import './friendship.ts';
import './group.ts';
import './identity.ts';
import './import-job.ts';
import './live.ts';
import './merge-event.ts';
import './node.ts';
import './privacy.ts';
import './resolution.ts';
import './user-customer.ts';
import './viewer.ts';

// @defer and @stream are served (@graphql-yoga/plugin-defer-stream); declared here so that the
// printed schema and introspection name them.
export const schema = builder.toSchema({
  sortSchema: true,
  directives: [...specifiedDirectives, GraphQLDeferDirective, GraphQLStreamDirective],
});
