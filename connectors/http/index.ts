export { HttpClient, type HttpClientOptions, type HttpAuth, type JsonResponse, type RequestOptions } from './client';
export { parseLinkHeader, findLink, nextLink, type WebLink } from './link';
export { resetWaitMs, retryAfterMs, rateFamily, RateLimitTracker, type BucketOf } from './rate-limit';
export { authSchema, authSchemaAt, createAuthenticator, headerAuth, ClientCredentials, type AuthConfig, type Authenticator, type AppliedAuth } from './auth';
export { paginate, nextPage, firstCursor, type Paging, type PagedList, type Page } from './paging';
export { forbiddenWarning, readPageOr403, isForbidden, ForbiddenError, defaultForbiddenText, type ForbiddenInfo } from './forbidden';
export { valueAt } from './json-path';
