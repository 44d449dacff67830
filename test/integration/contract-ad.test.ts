// The connector contract against the real Samba AD DC (LDAPS) started by scripts/directories.
import { describeConnectorContract } from '../connector-contract';
import { directoryHarness } from '../support/contract-directory';
import { ensureDirectories } from '../support/directories';

describeConnectorContract(directoryHarness('ad', ensureDirectories));
