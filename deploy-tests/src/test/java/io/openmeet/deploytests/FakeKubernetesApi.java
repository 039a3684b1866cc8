package io.openmeet.deploytests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The few Kubernetes API answers the chart's {@code lookup} calls need, on 127.0.0.1 and a free
 * port. helm-java's template runs with a cluster connection for {@code lookup}; the Go library
 * reads the kubeconfig named by KUBECONFIG (set by the build to a file this class writes), so tests
 * never reach a real cluster or whatever listens on localhost:8080. Secrets put here are "already
 * in the cluster", which lets tests check that generated passwords survive an upgrade.
 */
final class FakeKubernetesApi {
  private static FakeKubernetesApi instance;

  private final HttpServer server;
  private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();

  private FakeKubernetesApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::handle);
    server.setExecutor(null);
    server.start();
  }

  /** Starts the server once per JVM and points the kubeconfig file at it. */
  static synchronized FakeKubernetesApi start() {
    if (instance == null) {
      String kubeconfig = System.getenv("KUBECONFIG");
      if (kubeconfig == null || kubeconfig.isBlank()) {
        throw new IllegalStateException(
            "KUBECONFIG is not set: deploy-tests' pom sets it for Surefire; run the tests with Maven");
      }
      try {
        instance = new FakeKubernetesApi();
        Path file = Path.of(kubeconfig);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, instance.kubeconfig());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** Makes a Secret exist in the fake cluster (plain-text values). */
  void putSecret(String namespace, String name, Map<String, String> data) {
    secrets.put(namespace + "/" + name, Map.copyOf(data));
  }

  void removeSecret(String namespace, String name) {
    secrets.remove(namespace + "/" + name);
  }

  private String kubeconfig() {
    int port = server.getAddress().getPort();
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: fake
            cluster:
              server: http://127.0.0.1:%d
        users:
          - name: fake
            user:
              token: deploy-tests
        contexts:
          - name: fake
            context:
              cluster: fake
              user: fake
              namespace: %s
        current-context: fake
        """
        .formatted(port, RenderedChart.NAMESPACE);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/api/v1")) {
      respond(
          exchange,
          200,
          """
          {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[
            {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret",
             "verbs":["get","list"]}]}""");
      return;
    }
    String[] parts = path.split("/");
    // /api/v1/namespaces/<ns>/secrets/<name>
    if (parts.length == 7 && parts[3].equals("namespaces") && parts[5].equals("secrets")) {
      Map<String, String> data = secrets.get(parts[4] + "/" + parts[6]);
      if (data != null) {
        String encoded =
            data.entrySet().stream()
                .map(
                    e ->
                        "\""
                            + e.getKey()
                            + "\":\""
                            + Base64.getEncoder()
                                .encodeToString(e.getValue().getBytes(StandardCharsets.UTF_8))
                            + "\"")
                .collect(Collectors.joining(","));
        respond(
            exchange,
            200,
            "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\""
                + parts[6]
                + "\",\"namespace\":\""
                + parts[4]
                + "\"},\"type\":\"Opaque\",\"data\":{"
                + encoded
                + "}}");
        return;
      }
    }
    respond(
        exchange,
        404,
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\","
            + "\"message\":\"not found\",\"code\":404}");
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
