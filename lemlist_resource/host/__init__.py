"""What adapts the Pulumi SDK's dynamic-provider host: ``hostpool`` (concurrent calls) and
``hosterrors`` (a failed call read as its sentence)."""
