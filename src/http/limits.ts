// Limits on what one GraphQL document may ask for (GraphQL Armor as envelop plugins on yoga):
// depth, aliases, tokens, directives and an estimated cost, so that one request cannot make the
// server parse or resolve without bound. Field suggestions ("Did you mean …") are blocked in
// production: they let an unauthorised reader map the schema field by field.
// Refusals are validation errors, answered as BAD_INPUT (HTTP 400) naming the limit.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';

export function limitPlugins(config: Config): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: config.GRAPHQL_MAX_DEPTH },
      maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
      maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
      maxDirectives: { n: 50 },
      costLimit: { maxCost: config.GRAPHQL_MAX_COST },
      blockFieldSuggestion: { enabled: config.production },
    }) as Plugin,
  ];
}
