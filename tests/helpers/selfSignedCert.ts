// A throwaway self-signed certificate for tests of the relay over HTTPS, made with the
// openssl command (installed nearly everywhere; .ci/run installs it where missing). It names
// hearth.test and 127.0.0.1, so a client that trusts this one certificate can check it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
	dir: string;
	certFile: string;
	keyFile: string;
	/** The certificate's PEM text: what a client passes as its `ca` to trust it. */
	cert: string;
}

export function selfSignedCert(dir = mkdtempSync(join(tmpdir(), 'hearth-tls-')), name = 'cert'): TestCertificate {
	if (spawnSync('openssl', ['version']).status !== 0) {
		throw new Error('The HTTPS tests make a certificate with openssl, which is not installed (Debian: apt-get install openssl; .ci/run does this).');
	}
	const certFile = join(dir, `${name}.pem`);
	const keyFile = join(dir, `${name}-key.pem`);
	execFileSync(
		'openssl',
		[
			'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
			'-subj', '/CN=hearth.test', '-addext', 'subjectAltName=DNS:hearth.test,IP:127.0.0.1',
			'-keyout', keyFile, '-out', certFile
		],
		{ stdio: 'ignore' }
	);
	return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}
