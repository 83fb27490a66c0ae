// Certificates for the TLS tests, made with the openssl command line: a CA
// and another one, server certificates for 127.0.0.1 and localhost, client
// certificates, and one that expired in 2020.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const openssl = (args, cwd) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Makes, in `dir`: ca, other-ca; server, server2 (for 127.0.0.1 and
 * localhost, by ca); client (by ca), stranger (by other-ca), expired (by ca,
 * valid one day in 2020); each NAME.crt and NAME.key. Returns {dir,
 * file(name), read(name)}.
 */
export function makePki(dir) {
  mkdirSync(dir, { recursive: true });
  const ca = (name) => {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`], dir);
  };
  const signed = (name, caName, ext, { expired = false } = {}) => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    if (!expired) {
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
      return;
    }
    // A certificate valid for one day in 2020: `openssl ca` takes explicit dates.
    mkdirSync(path.join(dir, 'ca-db'), { recursive: true });
    writeFileSync(path.join(dir, 'ca-db/index.txt'), '');
    writeFileSync(path.join(dir, 'ca-db/serial'), '1000\n');
    writeFileSync(
      path.join(dir, 'ca.cnf'),
      ['[ca]', 'default_ca = d', '[d]', `database = ${dir}/ca-db/index.txt`, `new_certs_dir = ${dir}/ca-db`, `serial = ${dir}/ca-db/serial`, 'default_md = sha256', 'policy = p', '[p]', 'commonName = supplied', ''].join('\n'),
    );
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', `${caName}.crt`, '-keyfile', `${caName}.key`, '-in', `${name}.csr`, '-out', `${name}.crt`, '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', `${name}.ext`, '-notext'], dir);
  };
  ca('ca');
  ca('other-ca');
  signed('server', 'ca', 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n');
  signed('server2', 'ca', 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n');
  signed('client', 'ca', 'extendedKeyUsage = clientAuth\n');
  signed('stranger', 'other-ca', 'extendedKeyUsage = clientAuth\n');
  signed('expired', 'ca', 'extendedKeyUsage = clientAuth\n', { expired: true });
  const read = (f) => readFileSync(path.join(dir, f));
  return { dir, file: (f) => path.join(dir, f), read };
}

