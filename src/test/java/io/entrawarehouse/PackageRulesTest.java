package io.entrawarehouse;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules, checked on the compiled product classes. Each package may use only the ones
 * below it: config → observe → graph → warehouse → read, process, write → job → the commands. The
 * simulator, which plays Microsoft's side, uses nothing of the product, so that the product's
 * mistakes cannot leak into the Graph it is tested against.
 */
class PackageRulesTest {

  private static JavaClasses product;

  @BeforeAll
  static void importProduct() {
    product =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.entrawarehouse");
  }

  @Test
  void eachPackageUsesOnlyThoseBelowIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInAnyPackage("io.entrawarehouse..")
        .layer("config")
        .definedBy("io.entrawarehouse.config..")
        .layer("observe")
        .definedBy("io.entrawarehouse.observe..")
        .layer("graph")
        .definedBy("io.entrawarehouse.graph..")
        .layer("warehouse")
        .definedBy("io.entrawarehouse.warehouse..")
        .layer("read")
        .definedBy("io.entrawarehouse.read..")
        .layer("process")
        .definedBy("io.entrawarehouse.process..")
        .layer("write")
        .definedBy("io.entrawarehouse.write..")
        .layer("job")
        .definedBy("io.entrawarehouse.job..")
        .layer("commands")
        .definedBy("io.entrawarehouse.cli..", "io.entrawarehouse.bench..")
        .layer("simulator")
        .definedBy("io.entrawarehouse.simulator..")
        .layer("application")
        .definedBy("io.entrawarehouse")
        .whereLayer("config")
        .mayNotAccessAnyLayer()
        .whereLayer("observe")
        .mayOnlyAccessLayers("config")
        .whereLayer("graph")
        .mayOnlyAccessLayers("config", "observe")
        .whereLayer("warehouse")
        .mayOnlyAccessLayers("config", "graph")
        .whereLayer("read")
        .mayOnlyAccessLayers("config", "observe", "graph", "warehouse")
        .whereLayer("process")
        .mayOnlyAccessLayers("config", "warehouse")
        .whereLayer("write")
        .mayOnlyAccessLayers("config", "observe", "warehouse")
        .whereLayer("job")
        .mayOnlyAccessLayers("config", "observe", "graph", "warehouse", "read", "process", "write")
        .whereLayer("commands")
        .mayOnlyAccessLayers(
            "config",
            "observe",
            "graph",
            "warehouse",
            "read",
            "process",
            "write",
            "job",
            "commands",
            "simulator")
        .whereLayer("simulator")
        .mayNotAccessAnyLayer()
        .check(product);
  }

  @Test
  void noPackagesDependOnEachOtherInACycle() {
    slices().matching("io.entrawarehouse.(**)").should().beFreeOfCycles().check(product);
  }
}
