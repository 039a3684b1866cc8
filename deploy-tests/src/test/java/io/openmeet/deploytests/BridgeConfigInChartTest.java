package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.openmeet.bridgeconfig.ConfigTemplate;
import io.openmeet.bridgeconfig.TemplateRenderer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart ships bridge-config's templates unchanged and renders them as bridge-config does. */
class BridgeConfigInChartTest {
  private static final Path PRODUCTION = Repo.chart().resolve("ci/production-values.yaml");

  @TempDir Path tmp;

  @Test
  void theChartCarriesByteIdenticalCopiesOfTheTemplates() throws Exception {
    for (ConfigTemplate template : List.of(ConfigTemplate.JVB, ConfigTemplate.PROSODY)) {
      Path source = Repo.root().resolve("bridge-config").resolve(template.relativePath());
      Path copy = Repo.chart().resolve("files").resolve(template.fileName());
      assertThat(Files.readString(copy))
          .as(
              copy
                  + " must equal "
                  + source
                  + ": cp bridge-config/"
                  + template.relativePath()
                  + " helm/openmeet/files/")
          .isEqualTo(Files.readString(source));
    }
  }

  @Test
  void jvbConfFilledByThePodsInitScriptEqualsTheJavaRendering() throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    String password = "Pr0d-bridge_secret.42";
    Path out = runFillConfig(chart, "openmeet-jvb-2", password);
    assertThat(out).as("the init script's output").exists();

    Map<String, String> values = new HashMap<>();
    values.put("XMPP_HOST", "openmeet-prosody.meet.svc.cluster.local");
    values.put("XMPP_PORT", "5222");
    values.put("XMPP_AUTH_DOMAIN", "auth.meet.local");
    values.put("XMPP_INTERNAL_MUC", "internal.auth.meet.local");
    values.put("XMPP_DISABLE_CERTIFICATE_VERIFICATION", "true");
    values.put("BREWERY_ROOM", "jvbbrewery");
    values.put("JVB_USER", "jvb");
    values.put("JVB_PASSWORD", password);
    values.put("JVB_BRIDGE_ID", "openmeet-jvb-2");
    values.put("JVB_REGION", "eu-west-1");
    values.put("JVB_PRESENCE_INTERVAL", "5 seconds");
    values.put("JVB_PRIVATE_HOST", "127.0.0.1");
    values.put("JVB_PRIVATE_PORT", "8080");
    values.put("JVB_PUBLIC_PORT", "9090");
    values.put("JVB_WEBSOCKET_DOMAIN", "eu-west-1.meet.example.com:443");
    values.put("JVB_WEBSOCKET_TLS", "true");
    values.put("JVB_MEDIA_PORT", "10000");
    values.put("JVB_STUN_ADDRESSES", "");
    values.put("JVB_AWS_HARVESTER", "true");
    values.put("JVB_REQUIRE_VALID_ADDRESS", "true");
    values.put("JVB_LOAD_MEASUREMENT", "cpu-usage");
    values.put("JVB_GRACEFUL_SHUTDOWN_MAX", "7200 seconds");
    String fromJava = TemplateRenderer.render(ConfigTemplate.JVB, values);

    Config fromPod = ConfigFactory.parseString(Files.readString(out)).resolve();
    assertThat(fromPod.root().unwrapped())
        .isEqualTo(ConfigFactory.parseString(fromJava).resolve().root().unwrapped());
    assertThat(fromPod.getString("videobridge.apis.xmpp-client.configs.openmeet.muc_nickname"))
        .isEqualTo("openmeet-jvb-2");
    assertThat(fromPod.getString("videobridge.apis.xmpp-client.configs.openmeet.password"))
        .isEqualTo(password);
  }

  @Test
  void theInitScriptRefusesAPasswordThatWouldBreakTheConfig() throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);

    Path out = runFillConfig(chart, "openmeet-jvb-0", "bad\"password");

    assertThat(out).doesNotExist();
  }

  @Test
  void theInitScriptMapsThePodsAddressToStaticAndNodeAddresses() throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);

    Path out =
        runFillConfig(
            chart,
            "openmeet-jvb-0",
            "pw",
            Map.of(
                "POD_IP", "10.1.2.3",
                "PUBLIC_IPS", "203.0.113.7",
                "USE_NODE_IP", "true",
                "NODE_IP", "198.51.100.9"));

    Config conf = ConfigFactory.parseString(Files.readString(out)).resolve();
    assertThat(conf.getConfigList("ice4j.harvest.mapping.static-mappings"))
        .extracting(c -> c.getString("local-address") + "->" + c.getString("public-address"))
        .containsExactly("10.1.2.3->203.0.113.7", "10.1.2.3->198.51.100.9");
    // the rest of the file is still the rendered template
    assertThat(conf.getBoolean("ice4j.harvest.mapping.aws.enabled")).isTrue();
  }

  @Test
  void theInitScriptReadsThePublicAddressFromInstanceMetadataWithAnImdsV2Token() throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    var imds =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
    imds.createContext(
        "/latest/api/token",
        x -> {
          byte[] token = "tok-123".getBytes(StandardCharsets.UTF_8);
          int status = x.getRequestMethod().equals("PUT") ? 200 : 405;
          x.sendResponseHeaders(status, token.length);
          x.getResponseBody().write(token);
          x.close();
        });
    imds.createContext(
        "/latest/meta-data/public-ipv4",
        x -> {
          boolean authorised =
              "tok-123".equals(x.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"));
          byte[] ip = (authorised ? "54.1.2.3" : "").getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(authorised ? 200 : 401, authorised ? ip.length : -1);
          if (authorised) {
            x.getResponseBody().write(ip);
          }
          x.close();
        });
    imds.start();
    try {
      Path out =
          runFillConfig(
              chart,
              "openmeet-jvb-1",
              "pw",
              Map.of(
                  "POD_IP", "10.1.2.4",
                  "AWS_METADATA_MAPPING", "true",
                  "IMDS_ENDPOINT", "http://127.0.0.1:" + imds.getAddress().getPort()));

      Config conf = ConfigFactory.parseString(Files.readString(out)).resolve();
      assertThat(conf.getConfigList("ice4j.harvest.mapping.static-mappings"))
          .extracting(c -> c.getString("local-address") + "->" + c.getString("public-address"))
          .containsExactly("10.1.2.4->54.1.2.3");
    } finally {
      imds.stop(0);
    }
  }

  @Test
  void theInitScriptFailsWhenInstanceMetadataDoesNotAnswer() throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    int closedPort;
    try (var s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }

    Path out =
        runFillConfig(
            chart,
            "openmeet-jvb-1",
            "pw",
            Map.of(
                "POD_IP", "10.1.2.4",
                "AWS_METADATA_MAPPING", "true",
                "IMDS_ENDPOINT", "http://127.0.0.1:" + closedPort));

    assertThat(out).doesNotExist();
  }

  @Test
  void prosodyConfigMatchesTheJavaRenderingAndCompiles() throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    String fromChart = chart.configMapData(RenderedChart.name("prosody"), "prosody.cfg.lua");

    Map<String, String> values =
        Map.of(
            "XMPP_DOMAIN", "meet.local",
            "XMPP_AUTH_DOMAIN", "auth.meet.local",
            "XMPP_INTERNAL_MUC", "internal.auth.meet.local",
            "XMPP_CONFERENCE_MUC", "conference.meet.local",
            "XMPP_HOST", "*",
            "XMPP_PORT", "5222",
            "PROSODY_DIR", "/var/lib/prosody",
            "PROSODY_REQUIRE_TLS", "false");
    assertThat(fromChart).isEqualTo(TemplateRenderer.render(ConfigTemplate.PROSODY, values));

    Path file = tmp.resolve("prosody.cfg.lua");
    Files.writeString(file, fromChart);
    Process luac =
        new ProcessBuilder(luac(), "-p", file.toString()).redirectErrorStream(true).start();
    assertThat(luac.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(luac.exitValue())
        .as(new String(luac.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
  }

  /** Runs the ConfigMap's fill-config.sh with bash, redirected from /etc/openmeet and /config. */
  private Path runFillConfig(RenderedChart chart, String podName, String password)
      throws Exception {
    return runFillConfig(chart, podName, password, Map.of("POD_IP", "10.0.0.5"));
  }

  private Path runFillConfig(
      RenderedChart chart, String podName, String password, Map<String, String> env)
      throws Exception {
    String cm = RenderedChart.name("jvb");
    Path etc = Files.createDirectories(tmp.resolve("etc"));
    Path config = Files.createDirectories(tmp.resolve("config"));
    Files.writeString(
        etc.resolve("jvb.conf.template"), chart.configMapData(cm, "jvb.conf.template"));
    String script =
        chart
            .configMapData(cm, "fill-config.sh")
            .replace("/etc/openmeet/", etc + "/")
            .replace("/config/", config + "/");
    Path scriptFile = etc.resolve("fill-config.sh");
    Files.writeString(scriptFile, script);
    ProcessBuilder pb = new ProcessBuilder("bash", scriptFile.toString()).redirectErrorStream(true);
    pb.environment().put("POD_NAME", podName);
    pb.environment().put("JVB_PASSWORD", password);
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    p.getInputStream().readAllBytes();
    return config.resolve("jvb.conf");
  }

  private static String luac() {
    for (String candidate : List.of("/usr/bin/luac5.4", "/usr/bin/luac")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new AssertionError(
        "luac is missing: Debian's lua5.4 comes with prosody, which scripts/lib/prosody.sh installs");
  }
}
