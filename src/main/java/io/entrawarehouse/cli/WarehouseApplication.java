package io.entrawarehouse.cli;

import io.entrawarehouse.config.EntraProperties;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The Spring context of the load commands: job repository, JobOperator and configuration. It scans
 * the whole product, the job's configuration included, from the commands' package.
 */
@SpringBootApplication(scanBasePackages = "io.entrawarehouse")
@EnableConfigurationProperties(EntraProperties.class)
public class WarehouseApplication {}
