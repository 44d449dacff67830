export { HttpClient, type HttpClientOptions, type HttpAuth, type JsonResponse, type RequestOptions } from './client';
export { parseLinkHeader, findLink, nextLink, type WebLink } from './link';
export { resetWaitMs, retryAfterMs } from './rate-limit';
