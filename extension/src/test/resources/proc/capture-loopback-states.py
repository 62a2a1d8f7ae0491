import socket, time, shutil
# IPv4 listener + connections in various states, IPv6 ::1 and v4-mapped
def pair(fam, host):
    srv = socket.socket(fam, socket.SOCK_STREAM); srv.bind((host, 0)); srv.listen(16)
    c = socket.socket(fam, socket.SOCK_STREAM); c.connect(srv.getsockname()[:2]); s, _ = srv.accept()
    return srv, c, s
keep=[]
for fam, host in [(socket.AF_INET,'127.0.0.1'), (socket.AF_INET6,'::1'), (socket.AF_INET6,'::ffff:127.0.0.1')]:
    srv, c, s = pair(fam, host)            # established pair
    keep += [srv, c, s]
    srv2, c2, s2 = pair(fam, host); c2.close(); keep += [srv2, s2]   # c2 FIN_WAIT2 minisocket, s2 CLOSE_WAIT
    srv3, c3, s3 = pair(fam, host); c3.shutdown(socket.SHUT_WR); keep += [srv3, c3, s3]  # c3 FIN_WAIT2 with inode, s3 CLOSE_WAIT
    srv4, c4, s4 = pair(fam, host); c4.close(); time.sleep(0.05); s4.close()  # c4 TIME_WAIT, s4 gone
    keep += [srv4]
    srv5, c5, s5 = pair(fam, host); s2b=None; c5.close(); time.sleep(0.05); s5.shutdown(socket.SHUT_WR); keep += [srv5, s5] # s5 LAST_ACK? 
time.sleep(0.3)
shutil.copy('/proc/net/tcp', '/tmp/cap/tcp'); shutil.copy('/proc/net/tcp6', '/tmp/cap/tcp6')
print("done")
