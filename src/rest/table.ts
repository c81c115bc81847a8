// The REST compatibility shim: every legacy route, family by family.
import type { RestRoute } from './route.ts';
import { audienceRoutes } from './routes/audience.ts';
import { eduRoutes } from './routes/edu.ts';
import { openapiRoutes } from './routes/openapi.ts';
import { userCustomerRoutes } from './routes/user-customer.ts';

export const restRoutes: RestRoute[] = [...eduRoutes, ...openapiRoutes, ...audienceRoutes, ...userCustomerRoutes];
