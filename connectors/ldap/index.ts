export { ldapConfigSchema, type LdapConfig } from './schema';
export { adType, createLdapConnector, ldapType } from './type';
