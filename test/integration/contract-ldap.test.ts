// The connector contract against the real slapd started by scripts/directories.
import { describeConnectorContract } from '../connector-contract';
import { directoryHarness } from '../support/contract-directory';
import { ensureDirectories } from '../support/directories';

describeConnectorContract(directoryHarness('ldap', ensureDirectories));
