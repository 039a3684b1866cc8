package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The chart rendered by the real Helm engine (helm-java) for one values file, read into fabric8's
 * typed Kubernetes model. Fields the model does not know fail the parse (see {@link
 * #rejectUnknownFields}), so a misspelt or misplaced key in a template is caught here.
 */
final class RenderedChart {
  static final String RELEASE = "openmeet";
  static final String NAMESPACE = "meet";
  static final String KUBE_VERSION = "1.30.0";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  final String yaml;
  final List<HasMetadata> objects;

  private RenderedChart(String yaml, List<HasMetadata> objects) {
    this.yaml = yaml;
    this.objects = objects;
  }

  /** Renders with the given values file (null = the chart's defaults only). */
  static RenderedChart render(Path valuesFile) {
    FakeKubernetesApi.start();
    var template =
        new Helm(Repo.chart())
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    String yaml = template.call();
    return new RenderedChart(yaml, parse(yaml));
  }

  /** NOTES.txt as `helm install` would print it (a client-only dry run of the real engine). */
  static String notes(Path valuesFile) {
    FakeKubernetesApi.start();
    var install =
        new Helm(Repo.chart())
            .install()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION)
            .dryRun()
            .withDryRunOption(com.marcnuri.helm.DryRun.CLIENT)
            .clientOnly();
    if (valuesFile != null) {
      install = install.withValuesFile(valuesFile);
    }
    String output = install.call().getOutput();
    int notes = output.indexOf("NOTES:");
    assertThat(notes).as("NOTES in:\n" + output).isNotNegative();
    return output.substring(notes);
  }

  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : DOCUMENT_SEPARATOR.split(yaml)) {
      String trimmed = stripComments(doc);
      if (trimmed.isBlank()) {
        continue;
      }
      KubernetesResource parsed = SERIALIZATION.unmarshal(doc, KubernetesResource.class);
      assertThat(parsed).as("a Kubernetes object in:\n" + doc).isInstanceOf(HasMetadata.class);
      HasMetadata object = (HasMetadata) parsed;
      if (!(object instanceof GenericKubernetesResource)) {
        rejectUnknownFields(object, object.getKind() + "/" + object.getMetadata().getName());
      }
      objects.add(object);
    }
    return objects;
  }

  private static String stripComments(String doc) {
    StringBuilder b = new StringBuilder();
    for (String line : doc.split("\n")) {
      if (!line.stripLeading().startsWith("#")) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }

  /**
   * fabric8 keeps unknown fields in additionalProperties instead of failing; walk the typed object
   * and fail on any non-empty one, naming the path.
   */
  static void rejectUnknownFields(Object root, String path) {
    walk(root, path, new IdentityHashMap<>());
  }

  private static void walk(Object node, String path, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof Collection<?> c) {
      int i = 0;
      for (Object item : c) {
        walk(item, path + "[" + i++ + "]", seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), seen);
      }
      return;
    }
    if (!node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : node.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        assertThat((Map<?, ?>) value).as("unknown fields at " + path).isNullOrEmpty();
        continue;
      }
      walk(value, path + "." + decapitalize(m.getName().substring(3)), seen);
    }
  }

  private static String decapitalize(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name)
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }

  List<GenericKubernetesResource> generic(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(g -> g.getKind().equals(kind))
        .toList();
  }

  /** Pod templates by workload name (Deployments and StatefulSets). */
  Map<String, PodTemplateSpec> podTemplates() {
    Map<String, PodTemplateSpec> templates = new LinkedHashMap<>();
    Stream.concat(
            all(Deployment.class).stream()
                .map(d -> Map.entry(d.getMetadata().getName(), d.getSpec().getTemplate())),
            all(StatefulSet.class).stream()
                .map(s -> Map.entry(s.getMetadata().getName(), s.getSpec().getTemplate())))
        .forEach(e -> templates.put(e.getKey(), e.getValue()));
    return templates;
  }

  String configMapData(String name, String key) {
    ConfigMap cm = get(ConfigMap.class, name);
    String value = cm.getData().get(key);
    assertThat(value).as("ConfigMap " + name + " key " + key).isNotNull();
    return value;
  }

  static String name(String component) {
    return RELEASE + "-" + component;
  }

  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && labels != null
        && labels.entrySet().containsAll(selector.entrySet());
  }

  static Set<String> kinds(List<HasMetadata> objects) {
    return Set.copyOf(objects.stream().map(HasMetadata::getKind).toList());
  }
}
