// `make install` of the C++ tracer as a user takes it: installed into a
// prefix, a program outside the tree built against it with
// find_package(SpoorTracer) and, separately, with pkg-config; both send a
// trace that spoor shows.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { getJaegerTrace, startSpoor, tempDir } from '../lib/spoor.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = process.env.SPOOR_BIN ? path.resolve(path.dirname(process.env.SPOOR_BIN), '..') : '';
const skip = BUILD ? false : 'SPOOR_BIN is not set';

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

describe('the installed C++ tracer', { skip }, () => {
  let spoor;
  let prefix;
  before(async () => {
    prefix = tempDir('spoor-tracer-prefix-');
    run('cmake', ['--install', BUILD, '--prefix', prefix, '--component', 'tracer']);
    spoor = await startSpoor({ storage: { type: 'memory' } });
  });
  after(async () => {
    await spoor?.stop();
  });

  async function sendsATrace(program, service) {
    const r = run(program, [`${spoor.baseUrls.otlpHttp}/v1/traces`, service], {
      env: { ...process.env, LD_LIBRARY_PATH: path.join(prefix, 'lib') },
    });
    const traceId = r.stdout.trim();
    const res = await getJaegerTrace(spoor.baseUrls.query, traceId);
    assert.equal(res.status, 200, res.text);
    const trace = res.body.data[0];
    assert.equal(trace.spans.length, 3);
    assert.equal(trace.processes[trace.spans[0].processID].serviceName, service);
  }

  test('installs the library, its headers, a pkg-config file and a CMake package', () => {
    for (const file of [
      'lib/libspoor_tracer.so',
      'include/spoor/tracer.h',
      'include/spoor/config.h',
      'lib/pkgconfig/spoor_tracer.pc',
      'lib/cmake/SpoorTracer/SpoorTracerConfig.cmake',
    ]) {
      assert.equal(spawnSync('test', ['-e', path.join(prefix, file)]).status, 0, `${file} installed`);
    }
    // The installed library is the OpenTracing plugin too.
    const symbols = execFileSync('nm', ['-D', '--defined-only', path.join(prefix, 'lib/libspoor_tracer.so')], {
      encoding: 'utf8',
    });
    assert.match(symbols, /OpenTracingMakeTracerFactory/);
  });

  test('find_package(SpoorTracer): an out-of-tree program builds and sends a trace spoor shows', async () => {
    const build = tempDir('spoor-tracer-consumer-');
    run('cmake', ['-S', path.join(ROOT, 'client/cpp/examples/installed'), '-B', build, '-G', 'Ninja', `-DCMAKE_PREFIX_PATH=${prefix}`]);
    run('cmake', ['--build', build]);
    await sendsATrace(path.join(build, 'send_trace'), 'cpp-find-package');
  });

  test('pkg-config: the same program compiled with its flags', async () => {
    const env = { ...process.env, PKG_CONFIG_PATH: path.join(prefix, 'lib/pkgconfig') };
    const flags = run('pkg-config', ['--cflags', '--libs', 'spoor_tracer'], { env }).stdout.trim().split(/\s+/);
    const out = path.join(tempDir('spoor-tracer-pkgconfig-'), 'send_trace');
    run('g++', [path.join(ROOT, 'client/cpp/examples/send_trace.cc'), '-o', out, ...flags]);
    await sendsATrace(out, 'cpp-pkg-config');
  });
});
