/** JMH suites, the memory probe and the report writer (issue 5 adds the first suite). */
package io.github.lossforge.benchmarks;
