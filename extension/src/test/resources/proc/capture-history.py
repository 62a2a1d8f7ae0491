# Captures the socket table twice around real loopback closes, for the attribution tests.
# Run as: python3 capture-history.py  (writes history-*.tcp, history-*.tcp6, history.properties)
import socket, time, shutil

def pair():
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); srv.bind(('::1', 0)); srv.listen(16)
    c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); c.connect(srv.getsockname()[:2]); s, _ = srv.accept()
    return srv, c, s

def snap(name):
    time.sleep(0.2)
    shutil.copy('/proc/net/tcp', 'history-%s.tcp' % name); shutil.copy('/proc/net/tcp6', 'history-%s.tcp6' % name)

ino = lambda sock: __import__('os').fstat(sock.fileno()).st_ino
# server end closes first, client never does: server FIN_WAIT2 minisocket on the listener's port, client CLOSE_WAIT
srv_a, c_a, s_a = pair()
# a connection whose client closes later: before it, ESTABLISHED with an inode; after, FIN_WAIT2 minisocket
srv_b, c_b, s_b = pair()
props = {
  'a.listener.port': srv_a.getsockname()[1], 'a.listener.inode': ino(srv_a), 'a.client.port': c_a.getsockname()[1],
  'a.client.inode': ino(c_a), 'a.server.inode': ino(s_a),
  'b.listener.port': srv_b.getsockname()[1], 'b.listener.inode': ino(srv_b), 'b.client.port': c_b.getsockname()[1],
  'b.client.inode': ino(c_b), 'b.server.inode': ino(s_b),
}
snap('before')
s_a.close()
c_b.close()
snap('after')
with open('history.properties', 'w') as f:
    for k, v in props.items():
        f.write('%s=%s\n' % (k, v))
