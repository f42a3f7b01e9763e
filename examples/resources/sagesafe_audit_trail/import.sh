# Import a trail by its name (or its ARN). The refresh reads its key,
# retention, bucket, log group, filters and alarms; the first plan shows
# whatever differs from the trail sagesafe would make, and the apply
# restores it (a trail made elsewhere gets sagesafe's filters, alarms and
# bucket settings).
terraform import sagesafe_audit_trail.ml ml-audit
