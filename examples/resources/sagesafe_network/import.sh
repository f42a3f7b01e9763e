# Import a network by its VPC ID. Its subnets, route tables, security groups,
# endpoints and flow log are found by the sagesafe:network tag that
# sagesafe_network puts on each; only networks it created can be imported.
terraform import sagesafe_network.ml vpc-0123456789abcdef0
