package io.openmeet.deploytests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The environment variables room-api reads, from its sources: {@code ${NAME}} expressions of
 * application.properties (outside test profiles), the environment form of every property it knows
 * (application.properties keys and the properties of its {@code @ConfigMapping} interfaces, which
 * SmallRye Config also takes from {@code OPENMEET_FOCUS_NODE_ID}-style variables), and {@code
 * System.getenv("NAME")} calls.
 */
final class AppEnvironment {
  private static final List<String> MODULES = List.of("room-api", "focus-controller", "presence");
  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)[:}]");
  private static final Pattern GETENV = Pattern.compile("System\\.getenv\\(\"([A-Za-z0-9_]+)\"\\)");
  private static final Pattern MAPPING =
      Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"\\s*\\)");
  private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{]*\\{");
  private static final Pattern METHOD =
      Pattern.compile(
          "(?m)^\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*([\\w.<>, ?]+?)\\s+(\\w+)\\(\\)\\s*;");

  final Set<String> expressions = new TreeSet<>();
  final Set<String> properties = new TreeSet<>();
  final Set<String> getenv = new TreeSet<>();

  static AppEnvironment of(Path root) {
    AppEnvironment app = new AppEnvironment();
    try {
      for (String line :
          Files.readAllLines(root.resolve("room-api/src/main/resources/application.properties"))) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#") || l.startsWith("%") || !l.contains("=")) {
          continue;
        }
        app.properties.add(l.substring(0, l.indexOf('=')).strip());
        Matcher m = EXPRESSION.matcher(l.substring(l.indexOf('=') + 1));
        while (m.find()) {
          app.expressions.add(m.group(1));
        }
      }
      for (String module : MODULES) {
        try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
          for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
            String text = Files.readString(file);
            Matcher env = GETENV.matcher(text);
            while (env.find()) {
              app.getenv.add(env.group(1));
            }
            app.properties.addAll(mappedProperties(text));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return app;
  }

  /** Whether room-api reads the variable {@code name} (see the class comment for how). */
  boolean reads(String name) {
    return expressions.contains(name)
        || getenv.contains(name)
        || properties.stream().anyMatch(p -> envForm(p).equals(name));
  }

  /** SmallRye Config's environment form of a property: upper case, other characters '_'. */
  static String envForm(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
  }

  /** The properties of every @ConfigMapping interface in one Java file. */
  static Set<String> mappedProperties(String java) {
    Map<String, String> bodies = new HashMap<>();
    Matcher i = INTERFACE.matcher(java);
    while (i.find()) {
      bodies.put(i.group(1), ownBody(java, i.end()));
    }
    Set<String> props = new TreeSet<>();
    Matcher m = MAPPING.matcher(java);
    while (m.find()) {
      Matcher root = INTERFACE.matcher(java);
      if (root.find(m.end())) {
        expand(m.group(1), root.group(1), bodies, props);
      }
    }
    return props;
  }

  private static void expand(
      String prefix, String iface, Map<String, String> bodies, Set<String> out) {
    Matcher method = METHOD.matcher(bodies.get(iface));
    while (method.find()) {
      String type = method.group(1).strip();
      String name = prefix + "." + kebab(method.group(2));
      if (bodies.containsKey(type)) {
        expand(name, type, bodies, out);
      } else {
        out.add(name);
      }
    }
  }

  /** The text of the body opening at {@code start}, without the bodies of nested types. */
  private static String ownBody(String java, int start) {
    StringBuilder own = new StringBuilder();
    int depth = 1;
    for (int k = start; k < java.length() && depth > 0; k++) {
      char c = java.charAt(k);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (depth == 1) {
        own.append(c);
      }
    }
    return own.toString();
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
