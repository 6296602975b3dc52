# Build stage: compile and package the fat jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY conf conf
COPY cluster.xml cluster.xml
COPY src src
# The JavaScript client, which the build puts into the jar for the console (/console/lib/).
COPY clients/js/src clients/js/src
RUN mvn -B -q package -DskipTests

# Run stage: a JRE and the jar. Configure PostgreSQL, Redis and the JWT secret through CONVENE_* variables.
FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/convene --create-home convene
USER convene
WORKDIR /opt/convene
COPY --from=build /src/target/convene.jar convene.jar
COPY cluster.xml cluster.xml
ENV CONVENE_HTTP_HOST=0.0.0.0 \
    CONVENE_DATA_DIR=/var/lib/convene \
    JAVA_OPTS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"
EXPOSE 8080 5701
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar convene.jar \"$@\"", "--"]
