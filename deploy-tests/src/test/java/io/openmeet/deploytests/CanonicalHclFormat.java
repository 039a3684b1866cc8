package io.openmeet.deploytests;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A formatting check for Terraform files in the spirit of {@code terraform fmt} (whose binary is
 * not available here): two-space indentation by bracket depth, {@code =} aligned across consecutive
 * single-line attributes with one space after the longest name, one space after {@code =}, no tabs,
 * no trailing spaces, no runs of blank lines, one final newline. It is stricter than fmt in one
 * place: an attribute whose value spans lines must not touch another attribute line above it, so
 * the result is the same whichever way fmt groups such lines.
 */
final class CanonicalHclFormat {
  private static final Pattern ATTRIBUTE =
      Pattern.compile("^( *)([A-Za-z_][A-Za-z0-9_-]*|\"[^\"]*\"|\\([^)]*\\))( *)=(?!=)( *)(.*)$");

  private CanonicalHclFormat() {}

  /** The problems found, each as "file:line: message"; empty when the text is canonical. */
  static List<String> problems(String file, String text) {
    List<String> problems = new ArrayList<>();
    if (text.contains("\r")) {
      problems.add(file + ": carriage returns (use LF line ends)");
    }
    if (!text.endsWith("\n") || text.endsWith("\n\n")) {
      problems.add(file + ": must end with exactly one newline");
    }
    String[] lines = text.split("\n", -1);
    // Indentation as terraform fmt computes it: a line that opens brackets adds ONE level however
    // many it opens (remembering how many), a line that closes them removes those levels.
    java.util.ArrayDeque<Integer> indents = new java.util.ArrayDeque<>();
    List<Line> parsed = new ArrayList<>();
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      String where = file + ":" + (i + 1) + ": ";
      if (line.contains("\t")) {
        problems.add(where + "tab character");
      }
      if (!line.equals(line.stripTrailing())) {
        problems.add(where + "trailing whitespace");
      }
      if (line.isBlank() && i > 0 && lines[i - 1].isBlank()) {
        problems.add(where + "more than one blank line");
      }
      int net = 0;
      for (char c : stripStringsAndComments(line).toCharArray()) {
        if (c == '{' || c == '[' || c == '(') {
          net++;
        } else if (c == '}' || c == ']' || c == ')') {
          net--;
        }
      }
      int level = indents.size();
      if (net > 0) {
        indents.push(net);
      } else if (net < 0) {
        int closed = -net;
        while (closed > 0 && !indents.isEmpty()) {
          int top = indents.pop();
          if (closed < top) {
            indents.push(top - closed);
            closed = 0;
          } else {
            closed -= top;
          }
        }
        level = indents.size();
      }
      int indent = line.length() - line.stripLeading().length();
      if (!line.isBlank() && indent != 2 * level) {
        problems.add(where + "indented " + indent + " spaces, expected " + 2 * level);
      }
      parsed.add(new Line(i + 1, line, level, net > 0));
    }
    checkAlignment(file, parsed, problems);
    return problems;
  }

  private record Line(int number, String text, int depth, boolean opensBlock) {}

  private static void checkAlignment(String file, List<Line> lines, List<String> problems) {
    List<Matcher> group = new ArrayList<>();
    List<Line> groupLines = new ArrayList<>();
    Line previous = null;
    for (Line line : lines) {
      Matcher m = ATTRIBUTE.matcher(line.text);
      boolean attribute = m.matches() && !line.text.strip().startsWith("#");
      boolean previousWasAttribute =
          previous != null
              && previous.depth == line.depth
              && ATTRIBUTE.matcher(previous.text).matches()
              && !previous.text.strip().startsWith("#");
      if (attribute && line.opensBlock) {
        // A multi-line value: alone, one space either side of '=', and not glued to the line above.
        flush(file, group, groupLines, problems);
        if (previousWasAttribute) {
          problems.add(
              file
                  + ":"
                  + line.number
                  + ": put a blank line before an attribute whose value spans lines");
        }
        if (!m.group(3).equals(" ") || !m.group(4).equals(" ")) {
          problems.add(file + ":" + line.number + ": use exactly one space around '='");
        }
      } else if (attribute
          && (groupLines.isEmpty() || groupLines.get(groupLines.size() - 1).depth == line.depth)) {
        group.add(m);
        groupLines.add(line);
      } else {
        flush(file, group, groupLines, problems);
        if (attribute) {
          group.add(m);
          groupLines.add(line);
        }
      }
      previous = line;
    }
    flush(file, group, groupLines, problems);
  }

  private static void flush(
      String file, List<Matcher> group, List<Line> groupLines, List<String> problems) {
    if (!group.isEmpty()) {
      int longest = group.stream().mapToInt(m -> m.group(2).length()).max().orElse(0);
      for (int i = 0; i < group.size(); i++) {
        Matcher m = group.get(i);
        int spaces = m.group(3).length();
        int expected = longest - m.group(2).length() + 1;
        if (spaces != expected) {
          problems.add(
              file
                  + ":"
                  + groupLines.get(i).number
                  + ": '=' not aligned with the attributes around it ("
                  + spaces
                  + " spaces after '"
                  + m.group(2)
                  + "', expected "
                  + expected
                  + ")");
        }
        if (!m.group(4).equals(" ")) {
          problems.add(file + ":" + groupLines.get(i).number + ": use one space after '='");
        }
      }
    }
    group.clear();
    groupLines.clear();
  }

  /** Blanks out string contents (including ${...} inside them) and drops # and // comments. */
  static String stripStringsAndComments(String line) {
    StringBuilder out = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
          out.append('"');
        }
        continue;
      }
      if (c == '"') {
        inString = true;
        out.append('"');
      } else if (c == '#' || (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/')) {
        break;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
