package io.entrawarehouse.graph;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal HTTP CONNECT proxy on loopback that records each tunnel's target and can send a target
 * port somewhere else, so a test can name an address that only the proxy can reach.
 */
final class ConnectProxy implements AutoCloseable {

  private final ServerSocket server;
  private final Map<Integer, Integer> portMap;
  final List<String> targets = new CopyOnWriteArrayList<>();

  ConnectProxy(Map<Integer, Integer> portMap) throws IOException {
    this.portMap = portMap;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "connect-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Thread t = new Thread(() -> tunnel(client), "connect-proxy-tunnel");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void tunnel(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      String[] requestLine = head.lines().findFirst().orElse("").split(" ");
      if (requestLine.length < 2 || !requestLine[0].equals("CONNECT")) {
        client.getOutputStream().write("HTTP/1.1 405 Only CONNECT\r\n\r\n".getBytes());
        return;
      }
      String target = requestLine[1];
      targets.add(target);
      int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
      try (Socket upstream = new Socket("127.0.0.1", portMap.getOrDefault(port, port))) {
        client
            .getOutputStream()
            .write(
                "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Thread back = new Thread(() -> pump(upstream, client), "connect-proxy-pump");
        back.setDaemon(true);
        back.start();
        pump(client, upstream);
        back.join(5_000);
      }
    } catch (Exception ignored) {
      // a client closing its tunnel
    }
  }

  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[16384];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException ignored) {
      // one side closed
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
