export { startRestServer, type RestServer, type RestRecordedRequest } from './server';
export { RestData, type Person, type Team, type PersonInput, type TeamInput } from './data';
export { DEFAULT_REST_TOKEN, DELTA_PARAMS, type RestServerOptions, type RestServerAuth, type RestPagingStyle, type RestFaults } from './options';
