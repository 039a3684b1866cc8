package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every .tf file parses as HCL and is canonically formatted. */
class TerraformSyntaxTest {
  @TempDir Path tmp;

  @Test
  void theModulesAndTheRootsExist() {
    assertThat(TerraformFiles.moduleDirs())
        .extracting(p -> Repo.terraform().relativize(p).toString())
        .contains(
            "modules/vpc",
            "modules/eks",
            "modules/rds",
            "modules/elasticache",
            "modules/route53",
            "modules/region",
            "modules/state-backend",
            "bootstrap",
            "live/region",
            "live/global");
  }

  @Test
  void everyTerraformFileParsesAsHcl() {
    var parsed = TerraformFiles.parseAll();

    for (Path dir : TerraformFiles.moduleDirs()) {
      for (Path file : TerraformFiles.tfFiles(dir)) {
        assertThat(parsed.has(file.toString())).as(file.toString()).isTrue();
      }
    }
  }

  @Test
  void theParserRejectsABrokenFileNamingItsLine() throws Exception {
    Path broken = tmp.resolve("broken.tf");
    Files.writeString(broken, "variable \"a\" {\n  type = string\n  default =\n}\n");

    TerraformFiles.ParseResult r = TerraformFiles.parse(List.of(broken));

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("broken.tf:3");
  }

  @Test
  void everyTerraformFileIsCanonicallyFormatted() throws Exception {
    List<String> problems = new ArrayList<>();
    for (Path dir : TerraformFiles.moduleDirs()) {
      for (Path file : TerraformFiles.tfFiles(dir)) {
        problems.addAll(
            CanonicalHclFormat.problems(
                Repo.root().relativize(file).toString(), Files.readString(file)));
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theFormatCheckCatchesMisalignmentIndentationAndWhitespace() {
    String bad =
        """
        resource "aws_vpc" "this" {
          cidr_block = "10.0.0.0/16"
          enable_dns_support = true
           tags = {}\t
        }


        """;

    assertThat(CanonicalHclFormat.problems("bad.tf", bad))
        .anyMatch(p -> p.contains("bad.tf:2: '=' not aligned"))
        .anyMatch(p -> p.contains("bad.tf:4: indented 3 spaces, expected 2"))
        .anyMatch(p -> p.contains("bad.tf:4: tab character"))
        .anyMatch(p -> p.contains("more than one blank line"))
        .anyMatch(p -> p.contains("exactly one newline"));
  }

  @Test
  void theFormatCheckAcceptsFmtStyleAlignmentAndNestedBlocks() {
    String good =
        """
        resource "aws_subnet" "a" {
          count      = 2
          vpc_id     = var.vpc_id # the network
          cidr_block = "10.0.${count.index}.0/24"

          tags = {
            Name                     = "x"
            "kubernetes.io/role/elb" = "1"
          }
        }
        """;

    assertThat(CanonicalHclFormat.problems("good.tf", good)).isEmpty();
  }

  @Test
  void aMultiLineValueGluedToTheAttributeAboveIsReported() {
    String glued =
        """
        variable "x" {
          description = "d"
          default = {
            a = 1
          }
        }
        """;

    assertThat(CanonicalHclFormat.problems("glued.tf", glued))
        .containsExactly(
            "glued.tf:3: put a blank line before an attribute whose value spans lines");
  }
}
