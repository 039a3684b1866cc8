package io.openmeet.presence.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the node link: mutual TLS 1.3, each node presenting the deployment's certificate and
 * accepting only peers whose certificate its trust store vouches for. It encrypts the link; the
 * {@link NodeLinkProtocol} handshake and frame MACs still run inside it. Host names are not
 * checked: nodes reach each other by pod IP, and the trust store (one deployment's CA or
 * certificate) is what decides who is a peer.
 */
public final class NodeLinkTls {

  private static final String[] PROTOCOLS = {"TLSv1.3"};

  private final SSLContext context;

  private NodeLinkTls(SSLContext context) {
    this.context = context;
  }

  /**
   * From PKCS#12 files.
   *
   * @param keyStore this node's key and certificate chain
   * @param password the key store's (and its key's) password
   * @param trustStore the certificates a peer's chain must lead to; empty: the key store's own
   *     certificates (every node shares one key store)
   * @param trustPassword the trust store's password; ignored without a trust store
   * @throws UncheckedIOException when a file cannot be read, opened with its password, or used
   */
  public static NodeLinkTls fromPkcs12(
      Path keyStore, String password, Optional<Path> trustStore, String trustPassword) {
    try {
      KeyStore keys = load(keyStore, password);
      KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      km.init(keys, password.toCharArray());
      KeyStore trusted = trustStore.isPresent() ? load(trustStore.get(), trustPassword) : keys;
      TrustManagerFactory tm =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tm.init(trusted);
      SSLContext context = SSLContext.getInstance("TLSv1.3");
      context.init(km.getKeyManagers(), tm.getTrustManagers(), null);
      return new NodeLinkTls(context);
    } catch (GeneralSecurityException e) {
      throw new UncheckedIOException(
          new IOException("the node link's TLS key or trust store cannot be used: " + e, e));
    }
  }

  private static KeyStore load(Path file, String password) throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the node link's key store " + file, e);
    }
  }

  /** An unbound listener that asks every client for its certificate. */
  SSLServerSocket serverSocket() throws IOException {
    SSLServerSocket server =
        (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    server.setEnabledProtocols(PROTOCOLS);
    server.setNeedClientAuth(true);
    return server;
  }

  /** An unconnected client socket; the handshake runs on its first read or write. */
  SSLSocket socket() throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
    socket.setEnabledProtocols(PROTOCOLS);
    return socket;
  }
}
