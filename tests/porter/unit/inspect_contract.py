#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Black-box checks of `klein-porter inspect`: JSON keys, exit codes,
diagnostics on stderr, the invalid-UTF-8 convention (docs/porter.md)."""
import json
import os
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"check failed: {what}", file=sys.stderr)


def run(*args):
    p = subprocess.run([BIN, 'inspect', *args], capture_output=True)
    out = None
    if p.stdout:
        out = json.loads(p.stdout.decode('utf-8'))  # must be valid UTF-8 JSON
    return p.returncode, out, p.stderr.decode('utf-8', 'replace')


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


with tempfile.TemporaryDirectory(prefix='porter-inspect-') as root:
    lib = os.path.join(root, 'lib/systemd/system')
    write(f'{lib}/apache2@.service', b'''[Unit]
Description=Apache %i
After=network.target remote-fs.target
[Service]
Type=forking
User=www-data
Environment=APACHE_CONFDIR=/etc/apache2-%i "A=1 2"
EnvironmentFile=-/etc/default/x
PIDFile=apache2/apache2.pid
RuntimeDirectory=apache2
ExecStart=/usr/sbin/apachectl start
ExecReload=-+/usr/sbin/apachectl graceful
ExecStop=@/usr/sbin/apachectl stopper stop ; !!/bin/true
Nice=-99
[Install]
WantedBy=multi-user.target
''')
    write(f'{root}/etc/systemd/system/apache2@.service.d/x.conf', b'[Service]\nUser=www\n')
    code, j, err = run('--root', root, 'apache2@www.service')
    check(code == 0, f'loaded unit exits 0 (got {code})')
    check(set(j) == {'name', 'fragment', 'dropins', 'state', 'settings', 'environment', 'exec',
                     'diagnostics', 'systemd', 'systemd_from'}, f'top-level keys: {sorted(j)}')
    check(isinstance(j['systemd'], int) and j['systemd'] in (252, 255, 257), 'systemd version')
    check(j['name'] == 'apache2@www.service', 'name with instance')
    check(j['fragment'] == '/lib/systemd/system/apache2@.service', 'fragment as systemd sees it')
    check(j['dropins'] == ['/etc/systemd/system/apache2@.service.d/x.conf'], 'dropins')
    check(j['state'] == 'loaded', 'state')
    s = j['settings']
    check(s['Unit']['Description'] == 'Apache www', 'specifier in Description')
    check(s['Unit']['After'] == ['network.target', 'remote-fs.target'], 'list split')
    check(s['Service']['User'] == 'www', 'drop-in overrides scalar')
    check(s['Service']['PIDFile'] == '/run/apache2/apache2.pid', 'relative PIDFile under /run')
    check(s['Service']['RuntimeDirectory'] == ['apache2'], 'RuntimeDirectory list')
    check(s['Service']['EnvironmentFile'] == ['-/etc/default/x'], 'EnvironmentFile keeps -')
    check(s['Install']['WantedBy'] == ['multi-user.target'], 'Install list')
    check('ExecStart' not in s['Service'] and 'Environment' not in s['Service'],
          'Exec and Environment only in their own keys')
    check('Nice' not in s['Service'], 'invalid Nice ignored')
    check(j['environment'] == ['APACHE_CONFDIR=/etc/apache2-www', 'A=1 2'], 'environment')
    ex = j['exec']
    check(ex['ExecStart'] == [{'path': '/usr/sbin/apachectl',
                               'argv': ['/usr/sbin/apachectl', 'start'], 'flags': []}], 'ExecStart')
    check(ex['ExecReload'][0]['flags'] == ['ignore-failure', 'full-privileges'], 'flags')
    check(ex['ExecStop'][0]['path'] == '/usr/sbin/apachectl' and
          ex['ExecStop'][0]['argv'] == ['stopper', 'stop'], '@ keeps argv[0]')
    check(ex['ExecStop'][1]['flags'] == ['ambient'], '!! is ambient')
    d = j['diagnostics']
    check(len(d) == 1 and d[0]['severity'] == 'warning' and d[0]['line'] == 14 and
          d[0]['file'] == '/lib/systemd/system/apache2@.service' and
          'Nice priority out of range' in d[0]['message'], f'diagnostics: {d}')
    check('/lib/systemd/system/apache2@.service:14: warning: Nice priority out of range' in err,
          'diagnostic on stderr')

    # Template path + --instance.
    code, j, _ = run('--instance', 'x', f'{lib}/apache2@.service')
    check(code == 0 and j['name'] == 'apache2@x.service', 'path + --instance')

    # Refused, masked, not found: exit 1 with JSON.
    write(f'{lib}/two.service', b'[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n')
    code, j, err = run('--root', root, 'two.service')
    check(code == 1 and j['state'] == 'bad-setting', 'bad-setting exits 1')
    check('more than one ExecStart=' in err, 'refusal reason on stderr')
    os.symlink('/dev/null', f'{lib}/masked.service')
    code, j, _ = run('--root', root, 'masked.service')
    check(code == 1 and j['state'] == 'masked', 'masked exits 1')
    code, j, _ = run('--root', root, 'nothere.service')
    check(code == 1 and j['state'] == 'not-found' and j['fragment'] is None, 'not-found')

    # Usage errors exit 2.
    for args in ([], ['a.service', 'b.service'], ['--bogus', 'a.service'], ['not a name']):
        code, _, _ = run(*args)
        check(code == 2, f'usage error {args} exits 2 (got {code})')

    # Invalid UTF-8 bytes survive as \udcXX (surrogateescape). A value with
    # such bytes fails the unit in systemd, so use a file name with them.
    raw = b'[Service]\nExecStart=/bin/echo ok\n'
    bad_name = os.path.join(root.encode(), b'x\xff\xfe.service')
    write(bad_name.decode('utf-8', 'surrogateescape'), raw)
    p = subprocess.run([BIN.encode(), b'inspect', bad_name], capture_output=True)
    check(p.returncode in (0, 2), f'odd file name handled (rc {p.returncode})')
    # Arbitrary bytes in a value that systemd accepts: control characters.
    write(f'{lib}/ctl.service', b'[Unit]\nDescription=a\x01b\x7f"\\x\n[Service]\nExecStart=/bin/echo "\\xff\\xfe" \\u00e9\n')
    code, j, _ = run('--root', root, 'ctl.service')
    check(code == 0, 'control characters load')
    check(j['settings']['Unit']['Description'] == 'a\x01b\x7f"\\x', 'control chars round-trip')
    argv = j['exec']['ExecStart'][0]['argv']
    check(argv[1].encode('utf-8', 'surrogateescape') == b'\xff\xfe', f'invalid UTF-8 as \\udcXX: {argv!r}')
    check(argv[2] == '\u00e9', 'valid UTF-8 as is')

print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
