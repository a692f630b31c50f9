package io.entrawarehouse;

import io.entrawarehouse.config.EntraProperties;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The Spring context of the load commands: job repository, JobOperator and configuration. */
@SpringBootApplication
@EnableConfigurationProperties(EntraProperties.class)
public class WarehouseApplication {}
