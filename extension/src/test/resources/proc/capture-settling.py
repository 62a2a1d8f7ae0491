# Captures a closed socket stuck in FIN_WAIT1 (its FIN queued behind data the peer has not read),
# then the same connection after the peer reads: FIN_WAIT2 minisocket and CLOSE_WAIT.
# Run as: python3 capture-settling.py  (writes settling-*.tcp, settling-*.tcp6, settling.properties)
import os, shutil, socket, time

def snap(name):
    time.sleep(0.2)
    shutil.copy('/proc/net/tcp', 'settling-%s.tcp' % name); shutil.copy('/proc/net/tcp6', 'settling-%s.tcp6' % name)

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM); srv.bind(('127.0.0.1', 0)); srv.listen(4)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
c.connect(srv.getsockname()); s, _ = srv.accept()
props = {'listener.port': srv.getsockname()[1], 'listener.inode': os.fstat(srv.fileno()).st_ino,
         'client.port': c.getsockname()[1], 'server.inode': os.fstat(s.fileno()).st_ino}
c.setblocking(False)
sent = 0
for _ in range(10000):
    try:
        sent += c.send(b'x' * 65536)
    except BlockingIOError:
        break
c.close()
snap('closing')
got = 0
s.settimeout(5)
while got < sent:
    chunk = s.recv(65536)
    if not chunk:
        break
    got += len(chunk)
snap('settled')
with open('settling.properties', 'w') as f:
    for k, v in props.items():
        f.write('%s=%s\n' % (k, v))
